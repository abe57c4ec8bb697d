//! [`Sensitive`]: the wrapper every secret-bearing value travels in.

use std::fmt;

use serde::{Deserialize, Deserializer, Serializer};
use zeroize::Zeroize;

/// A value that must never be shown: `Debug` and `Display` print `***`, there is no
/// `Serialize` (it cannot leak into logs, errors or IPC responses by accident), and its memory
/// is zeroed when dropped. It can be *received* (`Deserialize`) from a form. Read it with
/// [`Sensitive::expose`] at the point of use; a wire format that must carry it names
/// [`serialize_exposed`] on that one field.
#[derive(Clone, Default)]
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The value itself. Use it only where it leaves for its destination (a header, the keychain).
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize + Default> Sensitive<T> {
    /// Moves the value out (the emptied wrapper is still zeroed on drop).
    pub fn into_exposed(mut self) -> T {
        std::mem::take(&mut self.0)
    }
}

impl<T: Zeroize> Sensitive<T> {
    /// Overwrites the value with zeros (what drop does).
    fn wipe(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.wipe();
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T: Zeroize> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T: Zeroize> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Sensitive(value)
    }
}

impl<T: Zeroize + PartialEq> PartialEq for Sensitive<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T: Zeroize + Eq> Eq for Sensitive<T> {}

impl<'de, T: Zeroize + Deserialize<'de>> Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Sensitive)
    }
}

/// `#[serde(serialize_with = "serialize_exposed")]` for an `Option<Sensitive<String>>` field of
/// a request body that must carry the secret to its destination (the Coro token request).
pub fn serialize_exposed<S: Serializer>(
    value: &Option<Sensitive<String>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => serializer.serialize_some(v.expose()),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUE: &str = "pr1v4te-K3y-never-in-sqlite";

    #[test]
    fn sensitive_redacts_debug_and_display() {
        let s = Sensitive::new(VALUE.to_string());
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{:?}", Some(&s)), "Some(***)");
        assert_eq!(s.expose(), VALUE);
        let from_form: Sensitive<String> = serde_json::from_str(&format!("\"{VALUE}\"")).unwrap();
        assert_eq!(from_form.into_exposed(), VALUE);
    }

    #[test]
    fn sensitive_zeroes_its_bytes_when_wiped_as_on_drop() {
        let mut s = Sensitive::new(VALUE.to_string());
        let (ptr, len) = (s.expose().as_ptr(), s.expose().len());
        s.wipe();
        // SAFETY: `s` still owns the buffer (zeroize clears without freeing); `len` bytes of it
        // were initialised before the wipe and are zero after it.
        let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
        assert!(bytes.iter().all(|b| *b == 0), "{bytes:?}");
        assert_eq!(s.expose(), "");
    }
}
