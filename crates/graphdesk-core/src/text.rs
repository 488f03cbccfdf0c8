//! Text from outside made safe to show: control characters and Unicode format characters (general category Cf — the
//! bidirectional overrides such as U+202E, zero-width spaces and joiners, the BOM, tag characters) are dropped, so an
//! `error_description` in a hostile redirect cannot reorder or hide what the window shows next to it.

/// Whether `c` is a format character (Unicode general category Cf, Unicode 15).
fn is_format(c: char) -> bool {
    matches!(
        c as u32,
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

/// `text` without control or format characters.
pub fn displayable(text: &str) -> String {
    text.chars()
        .filter(|&c| !c.is_control() && !is_format(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_overrides_zero_widths_and_controls_are_dropped() {
        assert_eq!(
            displayable(
                "Sign in to \u{202E}moc.evil\u{202C} now\u{200B}\u{FEFF}\u{2066}!\u{7}\r\n"
            ),
            "Sign in to moc.evil now!"
        );
        assert_eq!(displayable("tag\u{E0041}\u{E007F}s"), "tags");
        assert_eq!(
            displayable("Ünïcödé text — 日本語 stays"),
            "Ünïcödé text — 日本語 stays"
        );
    }
}
