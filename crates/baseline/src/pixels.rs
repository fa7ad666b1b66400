//! Pixel comparison of two PNG screenshots, one row at a time, so memory
//! stays a few rows wide however tall the page is.

use std::fs::File;
use std::io::{BufReader, Write as _};
use std::path::Path;

use png::{BitDepth, ColorType, Transformations};

/// Screenshots with more pixels than this are not compared: the runner
/// never takes one this big (4000 × 8000 at most), so a bigger file is not
/// a screenshot of ours, and decoding it could take seconds.
const MAX_PIXELS: u64 = 4000 * 8000;

/// Unchanged pixels in the diff image: the current page, washed out.
const FADE: u16 = 3;
/// Changed pixels in the diff image.
const CHANGED: [u8; 3] = [255, 0, 80];

/// How two screenshots differ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PixelDiff {
    /// Pixels that differ, over the union of both images.
    pub changed: u64,
    /// `max(width) × max(height)`: both images laid over each other from
    /// the top-left corner.
    pub total: u64,
}

impl PixelDiff {
    /// The share of pixels that differ. Both images are laid top-left on a
    /// canvas as wide as the wider and as tall as the taller; a pixel is
    /// unchanged only when both images cover it with the same RGBA value.
    /// So a page that only grew taller scores the share it grew by.
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.changed as f64 / self.total as f64
        }
    }
}

/// Compares `baseline` with `now` in one pass, drawing the diff image as it
/// goes: a PNG the size of the union canvas, changed pixels in a loud
/// colour over a washed-out copy of the current page. The image is kept in
/// memory (it compresses well) and only written when something changed.
pub(crate) fn diff(baseline: &Path, now: &Path) -> Result<(PixelDiff, Vec<u8>), String> {
    let mut a = Rows::open(baseline)?;
    let mut b = Rows::open(now)?;
    let (width, height) = (a.width.max(b.width), a.height.max(b.height));
    let mut image = Vec::new();
    let mut encoder = png::Encoder::new(&mut image, width, height);
    encoder.set_color(ColorType::Rgb);
    encoder.set_depth(BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    let mut stream = writer.stream_writer().map_err(|e| e.to_string())?;
    let mut line = Vec::with_capacity(width as usize * 3);
    let mut changed = 0;
    for _ in 0..height {
        let (base, cur) = (a.next()?, b.next()?);
        line.clear();
        for x in 0..width as usize {
            match pixel(cur, x) {
                Some(p) if pixel(base, x) == Some(p) => {
                    let luma = (u16::from(p[0]) * 3 + u16::from(p[1]) * 6 + u16::from(p[2])) / 10;
                    let washed = (255 * (FADE - 1) + luma) / FADE;
                    line.extend([washed as u8; 3]);
                }
                _ => {
                    changed += 1;
                    line.extend(CHANGED);
                }
            }
        }
        stream.write_all(&line).map_err(|e| e.to_string())?;
    }
    stream.finish().map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    let total = u64::from(width) * u64::from(height);
    Ok((PixelDiff { changed, total }, image))
}

fn pixel(row: Option<&[u8]>, x: usize) -> Option<[u8; 4]> {
    let p = row?.get(x * 4..x * 4 + 4)?;
    Some([p[0], p[1], p[2], p[3]])
}

/// A PNG's rows, each as 8-bit RGBA.
struct Rows {
    reader: png::Reader<BufReader<File>>,
    width: u32,
    height: u32,
    color: ColorType,
    rgba: Vec<u8>,
}

impl Rows {
    fn open(path: &Path) -> Result<Rows, String> {
        let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut decoder = png::Decoder::new(BufReader::new(file));
        decoder.set_transformations(Transformations::normalize_to_color8());
        let reader = decoder
            .read_info()
            .map_err(|e| format!("{} is not a readable PNG: {e}", path.display()))?;
        let info = reader.info();
        let (width, height) = (info.width, info.height);
        if u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(format!("{} is too large to compare", path.display()));
        }
        // Row by row needs rows in order; Chromium never interlaces.
        if info.interlaced {
            return Err(format!("{} is interlaced", path.display()));
        }
        let (color, _) = reader.output_color_type();
        Ok(Rows {
            reader,
            width,
            height,
            color,
            rgba: Vec::with_capacity(width as usize * 4),
        })
    }

    /// The next row as RGBA, or `None` past the bottom.
    fn next(&mut self) -> Result<Option<&[u8]>, String> {
        let Some(row) = self.reader.next_row().map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let data = row.data();
        self.rgba.clear();
        match self.color {
            ColorType::Rgba => self.rgba.extend_from_slice(data),
            ColorType::Rgb => data
                .chunks_exact(3)
                .for_each(|p| self.rgba.extend([p[0], p[1], p[2], 255])),
            ColorType::GrayscaleAlpha => data
                .chunks_exact(2)
                .for_each(|p| self.rgba.extend([p[0], p[0], p[0], p[1]])),
            ColorType::Grayscale => data.iter().for_each(|&g| self.rgba.extend([g, g, g, 255])),
            // `normalize_to_color8` expands palettes to RGB(A).
            ColorType::Indexed => return Err("an indexed PNG was not expanded".into()),
        }
        Ok(Some(&self.rgba))
    }
}
