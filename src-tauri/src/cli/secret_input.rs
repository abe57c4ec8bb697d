//! Secrets on the command line come from stdin (piped) or an interactive prompt with echo off —
//! never from argv, where they would land in shell history and `ps` output.
//!
//! Piped input is UTF-8, with or without a byte-order mark, or UTF-16 as Windows PowerShell
//! writes it (`Out-File`, `>`: little-endian with a BOM): [`decode_piped`] reads all three.

use std::io::{IsTerminal, Read};

use crate::error::{ApiError, ErrorCode};
use crate::secrets::Sensitive;

/// Why piped bytes are not text. Never carries the bytes themselves.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("it is not valid UTF-8 or UTF-16 text")]
    NotText,
}

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];
const UTF16LE_BOM: &[u8] = &[0xFF, 0xFE];
const UTF16BE_BOM: &[u8] = &[0xFE, 0xFF];

/// Decodes what was piped on stdin: a leading BOM picks UTF-8, UTF-16LE or UTF-16BE and is
/// dropped; without one, UTF-8 is expected, and text whose every second byte is NUL (UTF-16LE
/// without a BOM) is read as UTF-16LE.
pub fn decode_piped(bytes: &[u8]) -> Result<String, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return String::from_utf8(rest.to_vec()).map_err(|_| DecodeError::NotText);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16LE_BOM) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16BE_BOM) {
        return utf16(rest, u16::from_be_bytes);
    }
    let looks_utf16le = bytes.len() >= 2
        && bytes.len().is_multiple_of(2)
        && bytes.iter().skip(1).step_by(2).all(|b| *b == 0);
    if looks_utf16le {
        return utf16(bytes, u16::from_le_bytes);
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError::NotText)
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, DecodeError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(DecodeError::NotText);
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| DecodeError::NotText)
}

/// Reads one secret: the first line of piped stdin, or a hidden prompt on a terminal.
pub fn read_secret(what: &str) -> Result<Sensitive<String>, ApiError> {
    let stdin = std::io::stdin();
    let value = if stdin.is_terminal() {
        rpassword::prompt_password(format!("{what}: ")).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidInput,
                format!("could not read the {what} from the terminal: {e}"),
            )
        })?
    } else {
        let mut buf = Vec::new();
        stdin.lock().read_to_end(&mut buf).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidInput,
                format!("could not read the {what} from stdin: {e}"),
            )
        })?;
        let text = decode_piped(&buf).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidInput,
                format!("could not read the {what} from stdin: {e}"),
            )
        })?;
        first_line(&text)
    };
    let value = value.trim().to_string();
    if value.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("No {what} given: pipe it on stdin (e.g. `printf %s \"$KEY\" | psa-bridge …`) or type it at the prompt"),
        ));
    }
    Ok(Sensitive::new(value))
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { UTF16LE_BOM.to_vec() } else { vec![] };
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn plain_utf8_is_read_as_is() {
        assert_eq!(decode_piped(b"s3cr\xC3\xA9t\n").unwrap(), "s3cr\u{e9}t\n");
    }

    #[test]
    fn a_utf8_bom_is_dropped() {
        let text = decode_piped(b"\xEF\xBB\xBFs3cret\r\n").unwrap();
        assert_eq!(first_line(&text), "s3cret");
    }

    #[test]
    fn powershell_utf16le_with_a_bom_is_decoded() {
        let text = decode_piped(&utf16le("s3cr\u{e9}t\r\n", true)).unwrap();
        assert_eq!(first_line(&text), "s3cr\u{e9}t");
    }

    #[test]
    fn utf16le_without_a_bom_is_recognised() {
        let text = decode_piped(&utf16le("abc-123\r\n", false)).unwrap();
        assert_eq!(first_line(&text), "abc-123");
    }

    #[test]
    fn utf16be_with_a_bom_is_decoded() {
        let mut bytes = UTF16BE_BOM.to_vec();
        bytes.extend("key\n".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(first_line(&decode_piped(&bytes).unwrap()), "key");
    }

    #[test]
    fn bytes_that_are_no_text_are_refused_without_echoing_them() {
        // An odd number of UTF-16 bytes, and a broken UTF-8 sequence.
        assert_eq!(decode_piped(b"\xFF\xFEsecre"), Err(DecodeError::NotText));
        let err = decode_piped(b"secret\xC3\x28").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}
