//! How commands print: human text by default, one JSON document with `--json`. The error that
//! ends a command is printed by `crate::process::print_error`.

use serde::Serialize;

use crate::error::ApiError;

/// Prints `value` as pretty JSON.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), ApiError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| {
        ApiError::new(
            crate::error::ErrorCode::Internal,
            format!("could not encode output: {e}"),
        )
    })?;
    println!("{text}");
    Ok(())
}

/// Left-aligned text table with a header row; columns sized to their widest cell.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{:<w$}", c, w = widths.get(i).copied().unwrap_or(0)))
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(headers.to_vec(), &mut out);
    for row in rows {
        line(row.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let t = table(
            &["ID", "NAME"],
            &[
                vec!["1".into(), "Acme".into()],
                vec!["10".into(), "B".into()],
            ],
        );
        assert_eq!(t, "ID  NAME\n1   Acme\n10  B\n");
    }
}
