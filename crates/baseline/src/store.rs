//! The per-app baseline folder: what it holds, comparing with it, and
//! replacing it after a green run.

use std::fs;
use std::path::{Path, PathBuf};

use prod_smoke_model::atomic::write_atomic;
use prod_smoke_model::is_inside;
use prod_smoke_model::{CheckResult, RunReport, SinceLastGreen, Verdict};
use serde::{Deserialize, Serialize};

use crate::errors::BaselineError;
use crate::pixels;

/// The folder, next to the ledger file, that holds one baseline per app.
pub const BASELINE_DIR: &str = "baselines";
/// The folder, inside a run's artifacts, that holds the baseline copies and
/// diff images of the pages that changed.
pub const COMPARISON_DIR: &str = "since-last-green";
/// The most one app's baseline holds. Screenshots past it (in the order the
/// run took them) are left out, and those pages are not compared.
pub const MAX_BASELINE_BYTES: u64 = 32 * 1024 * 1024;

const MANIFEST: &str = "baseline.json";

/// What the baseline folder says about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    app: String,
    run_id: String,
    pages: Vec<Page>,
}

/// One page of the baseline, found again by its scenario and check names.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Page {
    scenario: String,
    name: String,
    file: String,
}

impl Manifest {
    fn page(&self, check: &CheckResult) -> Option<&Page> {
        self.pages
            .iter()
            .find(|p| p.scenario == check.scenario && p.name == check.name)
    }
}

/// All apps' baselines.
#[derive(Debug, Clone)]
pub struct Baselines {
    root: PathBuf,
}

/// A run's checks compared with the baseline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    /// One entry per check, in order: `Some` for each compared screenshot.
    pub pages: Vec<Option<SinceLastGreen>>,
    /// Why nothing was compared, when nothing was.
    pub unavailable: Option<String>,
    /// Pages that had a baseline but could not be compared, and why.
    pub skipped: Vec<String>,
}

impl Comparison {
    fn none(checks: usize, why: String) -> Comparison {
        Comparison {
            pages: vec![None; checks],
            unavailable: Some(why),
            skipped: Vec::new(),
        }
    }

    /// Sets each check's `since_last_green`.
    pub fn apply(self, report: &mut RunReport) {
        for (check, page) in report.checks.iter_mut().zip(self.pages) {
            check.since_last_green = page.map(Box::new);
        }
    }

    pub fn compared(&self) -> usize {
        self.pages.iter().flatten().count()
    }

    pub fn changed(&self) -> usize {
        self.pages
            .iter()
            .flatten()
            .filter(|p| p.changed_ratio > 0.0)
            .count()
    }
}

/// What a green run left as the new baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub dir: PathBuf,
    pub pages: usize,
    pub bytes: u64,
    /// Screenshots left out because the baseline was full.
    pub left_out: usize,
}

impl Baselines {
    /// Baselines kept under `root`, e.g. a watch loop's own folder.
    pub fn at(root: PathBuf) -> Baselines {
        Baselines { root }
    }

    /// The baselines that live next to the ledger file `ledger`.
    pub fn next_to_ledger(ledger: &Path) -> Baselines {
        let dir = ledger.parent().unwrap_or(Path::new("."));
        Baselines {
            root: dir.join(BASELINE_DIR),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The app's folder. The app name is reduced to a safe file name, so
    /// no name can point outside `root`.
    pub fn app_dir(&self, app: &str) -> PathBuf {
        self.root.join(folder_name(app))
    }

    /// Compares each check's screenshot (under `artifacts`) with the same
    /// page's in the app's baseline, when that baseline is the ledger's last
    /// green run. Baseline copies and diff images of changed pages are
    /// written to `artifacts/since-last-green/`.
    pub fn compare(
        &self,
        app: &str,
        last_green: Option<&str>,
        artifacts: &Path,
        checks: &[CheckResult],
    ) -> Comparison {
        let Some(last_green) = last_green else {
            return Comparison::none(checks.len(), "no green seal in the ledger yet".into());
        };
        let dir = self.app_dir(app);
        let manifest = match read_manifest(&dir) {
            Ok(m) => m,
            Err(why) => return Comparison::none(checks.len(), why),
        };
        // The ledger is the authority on which run was green last: a
        // baseline from any other run would name the wrong run.
        if manifest.run_id != last_green || manifest.app != app {
            return Comparison::none(
                checks.len(),
                format!(
                    "the kept screenshots are from run {}, not from the last green run {last_green}",
                    manifest.run_id
                ),
            );
        }
        let mut comparison = Comparison {
            pages: Vec::with_capacity(checks.len()),
            unavailable: None,
            skipped: Vec::new(),
        };
        for (i, check) in checks.iter().enumerate() {
            let page = match (&check.screenshot, manifest.page(check)) {
                (Some(shot), Some(page)) => {
                    match compare_page(&dir, page, artifacts, shot, i, &manifest.run_id) {
                        Ok(since) => Some(since),
                        Err(why) => {
                            comparison
                                .skipped
                                .push(format!("{} › {}: {why}", check.scenario, check.name));
                            None
                        }
                    }
                }
                _ => None,
            };
            comparison.pages.push(page);
        }
        comparison
    }

    /// Makes a green run's screenshots the app's baseline, replacing the
    /// previous one whole. Only passed checks' screenshots are kept, up to
    /// [`MAX_BASELINE_BYTES`]. Anything but a green run is refused: a
    /// baseline is the last *green* seal by definition.
    pub fn replace(&self, artifacts: &Path, report: &RunReport) -> Result<Kept, BaselineError> {
        let dir = self.app_dir(&report.app);
        if report.verdict != Verdict::Green {
            return Ok(Kept {
                dir,
                pages: 0,
                bytes: 0,
                left_out: 0,
            });
        }
        let name = folder_name(&report.app);
        let pid = std::process::id();
        let staging = self.root.join(format!(".{name}.new-{pid}"));
        let old = self.root.join(format!(".{name}.old-{pid}"));
        let _ = fs::remove_dir_all(&staging);
        fs::create_dir_all(&staging).map_err(write_error(&staging))?;
        let staged = stage(&staging, artifacts, report);
        let kept = match staged {
            Ok(kept) => kept,
            Err(e) => {
                let _ = fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        // Swap folders, so a reader sees the old baseline or the new one,
        // never half of each.
        let _ = fs::remove_dir_all(&old);
        if dir.exists() {
            fs::rename(&dir, &old).map_err(write_error(&dir))?;
        }
        if let Err(source) = fs::rename(&staging, &dir) {
            let _ = fs::rename(&old, &dir);
            let _ = fs::remove_dir_all(&staging);
            return Err(BaselineError::Write { path: dir, source });
        }
        let _ = fs::remove_dir_all(&old);
        Ok(Kept { dir, ..kept })
    }
}

/// Copies the run's passed screenshots into `staging` and writes the manifest.
fn stage(staging: &Path, artifacts: &Path, report: &RunReport) -> Result<Kept, BaselineError> {
    let mut manifest = Manifest {
        app: report.app.clone(),
        run_id: report.run_id.clone(),
        pages: Vec::new(),
    };
    let mut bytes = 0;
    let mut left_out = 0;
    for check in report.checks.iter().filter(|c| c.status.is_pass()) {
        let Some(shot) = check.screenshot.as_deref().filter(|s| is_inside(s)) else {
            continue;
        };
        let source = artifacts.join(shot);
        // Regular files only: a link could copy some other file in.
        let Ok(meta) = fs::symlink_metadata(&source) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        if bytes + meta.len() > MAX_BASELINE_BYTES {
            left_out += 1;
            continue;
        }
        let file = format!("{:02}.png", manifest.pages.len() + 1);
        let target = staging.join(&file);
        fs::copy(&source, &target).map_err(write_error(&target))?;
        bytes += meta.len();
        manifest.pages.push(Page {
            scenario: check.scenario.clone(),
            name: check.name.clone(),
            file,
        });
    }
    let path = staging.join(MANIFEST);
    let json = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
    fs::write(&path, json).map_err(write_error(&path))?;
    Ok(Kept {
        dir: staging.to_path_buf(),
        pages: manifest.pages.len(),
        bytes,
        left_out,
    })
}

fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> BaselineError {
    let path = path.to_path_buf();
    move |source| BaselineError::Write { path, source }
}

fn read_manifest(dir: &Path) -> Result<Manifest, String> {
    let path = dir.join(MANIFEST);
    let text = match fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err("no screenshots kept from a green run yet".into());
        }
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    serde_json::from_slice(&text).map_err(|e| format!("{} is damaged: {e}", path.display()))
}

/// One page compared. Identical files skip decoding: an unchanged page
/// renders to the same bytes, which keeps the green path fast.
fn compare_page(
    dir: &Path,
    page: &Page,
    artifacts: &Path,
    shot: &Path,
    index: usize,
    run_id: &str,
) -> Result<SinceLastGreen, String> {
    if !is_inside(shot) || !is_inside(Path::new(&page.file)) {
        return Err("the screenshot path leaves its folder".into());
    }
    let baseline = dir.join(&page.file);
    let now = artifacts.join(shot);
    let unchanged = SinceLastGreen {
        run_id: run_id.to_string(),
        changed_ratio: 0.0,
        baseline: None,
        diff: None,
    };
    let read = |p: &Path| fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    if read(&baseline)? == read(&now)? {
        return Ok(unchanged);
    }
    let (diff, image) = pixels::diff(&baseline, &now)?;
    if diff.changed == 0 {
        return Ok(unchanged);
    }
    let stem = shot
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        })
        .unwrap_or_else(|| format!("check-{}", index + 1));
    let out = artifacts.join(COMPARISON_DIR);
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let base_rel = Path::new(COMPARISON_DIR).join(format!("{stem}-baseline.png"));
    let diff_rel = Path::new(COMPARISON_DIR).join(format!("{stem}-diff.png"));
    // Evidence is written whole or not at all (prod_smoke_model::atomic).
    let base_bytes = fs::read(&baseline).map_err(|e| format!("cannot read the baseline: {e}"))?;
    write_atomic(&artifacts.join(&base_rel), &base_bytes)
        .map_err(|e| format!("cannot copy the baseline: {e}"))?;
    write_atomic(&artifacts.join(&diff_rel), &image)
        .map_err(|e| format!("cannot write the diff image: {e}"))?;
    Ok(SinceLastGreen {
        run_id: run_id.to_string(),
        changed_ratio: diff.ratio(),
        baseline: Some(base_rel),
        diff: Some(diff_rel),
    })
}

/// The app's folder name: letters, digits, `-` and `_` kept, anything else
/// `_`, so `../x` or `a/b` stay inside the baselines folder.
fn folder_name(app: &str) -> String {
    let name: String = app
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() { "_".into() } else { name }
}
