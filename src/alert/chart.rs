//! Small charts for the digest, rendered as PNG by the program (no remote
//! images): a bar per hour, the bars of the last `highlight` hours in the
//! alert colour, on a light grid. Labels are the e-mail's text around the
//! image, so the image needs no fonts.

/// Width of a chart in pixels.
pub const WIDTH: u32 = 480;
/// Height of a chart in pixels.
pub const HEIGHT: u32 = 96;

const BACKGROUND: [u8; 3] = [0xff, 0xff, 0xff];
const GRID: [u8; 3] = [0xe5, 0xe7, 0xeb];
const BAR: [u8; 3] = [0x94, 0xa3, 0xb8];
const HIGHLIGHT: [u8; 3] = [0xdc, 0x26, 0x26];

/// The chart of a rising trend: its hourly series with the hours since the
/// rise began (up to `to`) in red.
pub fn trend_chart_png(trend: &crate::trends::Trend, to: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    let rising = crate::text::dates::parse_datetime(&trend.since, chrono_tz::UTC)
        .map_or(1, |since| ((to - since).num_hours() + 1).max(1) as usize);
    bar_chart_png(&trend.series, rising)
}

/// A bar chart of `series` (oldest first) as PNG bytes; the last
/// `highlight` bars (the rise) are drawn in red.
pub fn bar_chart_png(series: &[u32], highlight: usize) -> Vec<u8> {
    let (w, h) = (WIDTH as usize, HEIGHT as usize);
    let mut pixels = vec![0u8; w * h * 3];
    let mut put = |x: usize, y: usize, colour: [u8; 3]| {
        if x < w && y < h {
            let at = (y * w + x) * 3;
            pixels[at..at + 3].copy_from_slice(&colour);
        }
    };
    for y in 0..h {
        for x in 0..w {
            let grid = y == h - 1 || (y % (h / 4) == 0 && x % 4 == 0);
            put(x, y, if grid { GRID } else { BACKGROUND });
        }
    }
    if !series.is_empty() {
        let max = series.iter().copied().max().unwrap_or(0).max(1) as usize;
        let slot = w / series.len().max(1);
        let bar = slot.saturating_sub(1).max(1);
        let usable = h - 4;
        for (i, &n) in series.iter().enumerate() {
            let height = (n as usize * usable).div_ceil(max);
            let colour = if i + highlight >= series.len() {
                HIGHLIGHT
            } else {
                BAR
            };
            let x0 = i * slot + (w - slot * series.len()) / 2;
            for x in x0..x0 + bar {
                for y in h - 1 - height..h - 1 {
                    put(x, y, colour);
                }
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .expect("writing a PNG header to memory cannot fail");
        writer
            .write_image_data(&pixels)
            .expect("the pixel buffer matches the declared size");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_a_png_of_the_declared_size_with_the_rise_in_red() {
        let png_bytes = bar_chart_png(&[1, 2, 0, 3, 9], 1);
        assert_eq!(&png_bytes[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        let red = buf.chunks(3).filter(|p| *p == HIGHLIGHT).count();
        let grey = buf.chunks(3).filter(|p| *p == BAR).count();
        assert!(red > 0 && grey > 0, "red {red}, grey {grey}");
        // Empty and all-zero series still make a valid image.
        assert_eq!(&bar_chart_png(&[], 0)[..4], b"\x89PNG");
        assert_eq!(&bar_chart_png(&[0, 0], 1)[..4], b"\x89PNG");
    }
}
