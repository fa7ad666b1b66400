//! Real PNG files in real folders: the baseline kept after a green run,
//! and later runs compared with it.

use std::path::{Path, PathBuf};

use chrono::Utc;
use prod_smoke_baseline::{Baselines, COMPARISON_DIR, MAX_BASELINE_BYTES};
use prod_smoke_model::{CheckResult, CheckStatus, RunReport, Verdict};

const APP: &str = "mcritchie-studio";
const SCENARIO: &str = "public routes and the task board respond";

/// Writes a `width × height` RGBA PNG whose pixel at (x, y) is `paint(x, y)`.
fn png(path: &Path, width: u32, height: u32, paint: impl Fn(u32, u32) -> [u8; 4]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let mut data = Vec::new();
    for y in 0..height {
        for x in 0..width {
            data.extend(paint(x, y));
        }
    }
    writer.write_image_data(&data).unwrap();
}

type Paint = fn(u32, u32) -> [u8; 4];

fn white(_: u32, _: u32) -> [u8; 4] {
    [255, 255, 255, 255]
}

fn visit(name: &str, shot: &str) -> CheckResult {
    CheckResult {
        screenshot: Some(PathBuf::from(shot)),
        status: CheckStatus::Passed,
        ..CheckResult::not_run(SCENARIO, name.into(), 1)
    }
}

fn report(run_id: &str, verdict: Verdict, checks: Vec<CheckResult>) -> RunReport {
    let now = Utc::now();
    RunReport {
        run_id: run_id.into(),
        app: APP.into(),
        url: "http://127.0.0.1:4010".into(),
        tag: "@qa-readonly".into(),
        started_at: now,
        finished_at: now,
        verdict,
        retried: false,
        retry_delay_secs: 0,
        checks,
        environment_error: None,
        artifacts_dir: None,
        rollback: None,
        traces: Vec::new(),
    }
}

/// A state folder with a ledger path, and a green run "g1" of two visits
/// (10 × 10 white pages) kept as the baseline.
struct World {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    baselines: Baselines,
}

impl World {
    fn new() -> World {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let baselines = Baselines::next_to_ledger(&root.join("state/ledger.sqlite3"));
        let first = root.join("run-g1");
        png(&first.join("screenshots/s1-a1-02-visit.png"), 10, 10, white);
        png(&first.join("screenshots/s1-a1-05-visit.png"), 10, 10, white);
        let green = report(
            "g1",
            Verdict::Green,
            vec![
                visit("visit /", "screenshots/s1-a1-02-visit.png"),
                visit("visit /signin", "screenshots/s1-a1-05-visit.png"),
            ],
        );
        let kept = baselines.replace(&first, &green).unwrap();
        assert_eq!((kept.pages, kept.left_out), (2, 0));
        // The first run's artifacts are gone: the baseline does not need them.
        std::fs::remove_dir_all(&first).unwrap();
        World {
            _tmp: tmp,
            root,
            baselines,
        }
    }

    /// A later run's folder where `/` is painted by `home`, `/signin` is white.
    fn later_run(&self, home: (u32, u32, Paint)) -> (PathBuf, Vec<CheckResult>) {
        let dir = self.root.join("run-2");
        png(
            &dir.join("screenshots/s1-a1-02-visit.png"),
            home.0,
            home.1,
            home.2,
        );
        png(&dir.join("screenshots/s1-a1-05-visit.png"), 10, 10, white);
        let checks = vec![
            CheckResult::not_run(SCENARIO, "GET /up returns 200".into(), 1),
            visit("visit /", "screenshots/s1-a1-02-visit.png"),
            visit("visit /signin", "screenshots/s1-a1-05-visit.png"),
        ];
        (dir, checks)
    }
}

#[test]
fn the_baseline_lives_next_to_the_ledger() {
    let w = World::new();
    assert_eq!(w.baselines.root(), w.root.join("state/baselines"));
    assert!(w.baselines.app_dir(APP).join("baseline.json").is_file());
    assert!(w.baselines.app_dir(APP).join("01.png").is_file());
    // A hostile app name stays inside the baselines folder.
    let odd = w.baselines.app_dir("../../etc");
    assert_eq!(odd.parent().unwrap(), w.baselines.root());
}

#[test]
fn an_unchanged_page_scores_exactly_zero_and_a_changed_one_its_share() {
    let w = World::new();
    // A 2 × 5 block of the 10 × 10 home page turned black: 10 of 100 pixels.
    fn block(x: u32, y: u32) -> [u8; 4] {
        if x < 2 && y < 5 {
            [0, 0, 0, 255]
        } else {
            [255, 255, 255, 255]
        }
    }
    let (dir, checks) = w.later_run((10, 10, block));
    let c = w.baselines.compare(APP, Some("g1"), &dir, &checks);
    assert_eq!(c.unavailable, None);
    assert!(c.pages[0].is_none(), "no screenshot, no comparison");
    let home = c.pages[1].as_ref().unwrap();
    assert_eq!(home.run_id, "g1");
    assert_eq!(home.changed_ratio, 0.1);
    let signin = c.pages[2].as_ref().unwrap();
    assert_eq!(signin.changed_ratio, 0.0);
    assert_eq!(
        (signin.baseline.as_ref(), signin.diff.as_ref()),
        (None, None)
    );
    assert_eq!((c.compared(), c.changed()), (2, 1));

    // The baseline copy and the diff image sit in the artifacts folder.
    let base = home.baseline.as_ref().unwrap();
    let diff = home.diff.as_ref().unwrap();
    assert!(base.starts_with(COMPARISON_DIR) && diff.starts_with(COMPARISON_DIR));
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(dir.join(diff)).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (10, 10));
    let red = buf.chunks(3).filter(|p| p == &[255, 0, 80]).count();
    assert_eq!(red, 10, "the changed pixels are marked");
    assert!(dir.join(base).is_file());
}

#[test]
fn a_page_of_another_size_counts_the_uncovered_part_as_changed() {
    let w = World::new();
    // Same white, but 10 × 20: the canvas is 10 × 20 and half of it is new.
    let (dir, checks) = w.later_run((10, 20, white));
    let c = w.baselines.compare(APP, Some("g1"), &dir, &checks);
    assert_eq!(c.pages[1].as_ref().unwrap().changed_ratio, 0.5);
    // 20 × 5: the canvas is 20 × 10; 50 pixels are white in both.
    let (dir, checks) = w.later_run((20, 5, white));
    let c = w.baselines.compare(APP, Some("g1"), &dir, &checks);
    assert_eq!(c.pages[1].as_ref().unwrap().changed_ratio, 0.75);
}

#[test]
fn the_same_pixels_in_other_bytes_are_unchanged() {
    let w = World::new();
    let (dir, checks) = w.later_run((10, 10, white));
    // The same picture as RGB instead of RGBA: other bytes, same pixels.
    let file = std::fs::File::create(dir.join("screenshots/s1-a1-02-visit.png")).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), 10, 10);
    encoder.set_color(png::ColorType::Rgb);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&[255; 300])
        .unwrap();
    let c = w.baselines.compare(APP, Some("g1"), &dir, &checks);
    assert_eq!(c.pages[1].as_ref().unwrap().changed_ratio, 0.0);
}

#[test]
fn no_trusted_baseline_means_no_comparison() {
    let w = World::new();
    let (dir, checks) = w.later_run((10, 10, white));
    let none = |c: prod_smoke_baseline::Comparison| {
        assert!(c.pages.iter().all(Option::is_none), "{c:?}");
        c.unavailable.unwrap()
    };
    assert!(none(w.baselines.compare(APP, None, &dir, &checks)).contains("no green seal"));
    // The ledger's last green is a run whose screenshots were not kept.
    assert!(
        none(w.baselines.compare(APP, Some("g2"), &dir, &checks))
            .contains("not from the last green run g2")
    );
    assert!(
        none(w.baselines.compare("other-app", Some("g1"), &dir, &checks))
            .contains("no screenshots kept")
    );

    // A damaged baseline image: that page is skipped, the other compared.
    std::fs::write(w.baselines.app_dir(APP).join("01.png"), b"not a png").unwrap();
    let c = w.baselines.compare(APP, Some("g1"), &dir, &checks);
    assert!(c.pages[1].is_none());
    assert_eq!(c.pages[2].as_ref().unwrap().changed_ratio, 0.0);
    assert_eq!(c.skipped.len(), 1, "{c:?}");

    // A damaged manifest: nothing compared, nothing fails.
    std::fs::write(w.baselines.app_dir(APP).join("baseline.json"), b"{").unwrap();
    assert!(none(w.baselines.compare(APP, Some("g1"), &dir, &checks)).contains("damaged"));
}

#[test]
fn only_a_green_run_replaces_the_baseline_and_only_with_passed_pages() {
    let w = World::new();
    let dir = w.root.join("run-3");
    png(&dir.join("screenshots/a.png"), 4, 4, white);
    png(&dir.join("screenshots/b.png"), 4, 4, white);
    let mut failed = visit("visit /tasks", "screenshots/b.png");
    failed.status = CheckStatus::Failed;
    let red = report(
        "r3",
        Verdict::Red,
        vec![visit("visit /", "screenshots/a.png"), failed.clone()],
    );
    assert_eq!(w.baselines.replace(&dir, &red).unwrap().pages, 0);
    let manifest = std::fs::read_to_string(w.baselines.app_dir(APP).join("baseline.json")).unwrap();
    assert!(
        manifest.contains("\"g1\""),
        "a red run leaves the baseline alone"
    );

    let mut outside = visit("visit /x", "../../escape.png");
    outside.status = CheckStatus::Passed;
    let green = report(
        "g3",
        Verdict::Green,
        vec![visit("visit /", "screenshots/a.png"), failed, outside],
    );
    let kept = w.baselines.replace(&dir, &green).unwrap();
    assert_eq!(kept.pages, 1);
    let app = w.baselines.app_dir(APP);
    let manifest = std::fs::read_to_string(app.join("baseline.json")).unwrap();
    assert!(manifest.contains("\"g3\"") && !manifest.contains("/tasks"));
    assert!(
        !app.join("02.png").exists(),
        "the old pages went with the old run"
    );
    let leftovers: Vec<_> = std::fs::read_dir(w.baselines.root())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from(APP)]);
}

#[test]
fn the_baseline_never_grows_past_its_cap() {
    let w = World::new();
    let dir = w.root.join("run-4");
    std::fs::create_dir_all(dir.join("screenshots")).unwrap();
    // Three files of 40% of the cap each: two fit.
    let big = vec![0u8; (MAX_BASELINE_BYTES * 2 / 5) as usize];
    let mut checks = Vec::new();
    for i in 0..3 {
        let rel = format!("screenshots/{i}.png");
        std::fs::write(dir.join(&rel), &big).unwrap();
        checks.push(visit(&format!("visit /{i}"), &rel));
    }
    let kept = w
        .baselines
        .replace(&dir, &report("g4", Verdict::Green, checks))
        .unwrap();
    assert_eq!((kept.pages, kept.left_out), (2, 1));
    assert!(kept.bytes <= MAX_BASELINE_BYTES);
}
