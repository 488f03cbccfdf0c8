//! Generated profile photos: a PNG whose colours derive from the user's object id, so each user has a stable, distinct
//! picture without shipping image files.

use sha2::{Digest, Sha256};

/// Renders a `size`×`size` PNG for `seed`: a diagonal gradient between two colours taken from the seed's hash.
pub fn render(seed: &str, size: u32) -> Result<Vec<u8>, png::EncodingError> {
    let hash = Sha256::digest(seed.as_bytes());
    let (a, b) = ([hash[0], hash[1], hash[2]], [hash[3], hash[4], hash[5]]);
    let mut pixels = Vec::with_capacity((size * size * 3) as usize);
    let span = (2 * size.saturating_sub(1)).max(1);
    for y in 0..size {
        for x in 0..size {
            let t = (x + y) * 255 / span;
            for channel in 0..3 {
                let mix = (u32::from(a[channel]) * (255 - t) + u32::from(b[channel]) * t) / 255;
                pixels.push(mix as u8);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size, size);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_a_png_distinct_per_seed() {
        let a = super::render("a", 16).expect("png");
        let b = super::render("b", 16).expect("png");
        assert_eq!(&a[..8], b"\x89PNG\r\n\x1a\n");
        assert_ne!(a, b);
    }
}
