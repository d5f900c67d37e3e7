//! [`Log`]: an append-only, persistent list for a case's history, path and
//! decisions.
//!
//! Applying an event clones the case and appends to these lists. A `Log` is
//! a chain of shared nodes from the newest entry back to the first, so cloning
//! it is one reference-count increment and appending allocates one node: the
//! cost of an event does not depend on how long the case's history is, and no
//! earlier entry is ever copied. Reading in order walks the chain once.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// An append-only list whose clones share their entries.
pub struct Log<T> {
    last: Option<Arc<Node<T>>>,
    len: usize,
}

struct Node<T> {
    item: T,
    prev: Option<Arc<Node<T>>>,
}

impl<T> Log<T> {
    /// An empty log.
    pub const fn new() -> Self {
        Log { last: None, len: 0 }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends an entry (one allocation; nothing is copied).
    pub fn push(&mut self, item: T) {
        let prev = self.last.take();
        self.last = Some(Arc::new(Node { item, prev }));
        self.len += 1;
    }

    /// The newest entry.
    pub fn last(&self) -> Option<&T> {
        self.last.as_deref().map(|n| &n.item)
    }

    /// The entries from the newest to the first.
    pub fn iter_rev(&self) -> impl Iterator<Item = &T> {
        std::iter::successors(self.last.as_deref(), |n| n.prev.as_deref()).map(|n| &n.item)
    }

    /// The entries from the first to the newest.
    pub fn iter(&self) -> std::iter::Rev<std::vec::IntoIter<&T>> {
        let mut items: Vec<&T> = Vec::with_capacity(self.len);
        items.extend(self.iter_rev());
        items.into_iter().rev()
    }

    /// The `index`-th entry from the first (walks the chain: O(len - index)).
    pub fn get(&self, index: usize) -> Option<&T> {
        let back = self.len.checked_sub(index)?.checked_sub(1)?;
        self.iter_rev().nth(back)
    }
}

impl<T> Default for Log<T> {
    fn default() -> Self {
        Log::new()
    }
}

impl<T> Clone for Log<T> {
    fn clone(&self) -> Self {
        Log {
            last: self.last.clone(),
            len: self.len,
        }
    }
}

impl<T> Drop for Log<T> {
    /// Frees the chain iteratively (a recursive drop of a long history would
    /// overflow the stack); stops at the first node another log still shares.
    fn drop(&mut self) {
        let mut next = self.last.take();
        while let Some(node) = next {
            match Arc::try_unwrap(node) {
                Ok(mut node) => next = node.prev.take(),
                Err(_) => break,
            }
        }
    }
}

impl<T: PartialEq> PartialEq for Log<T> {
    fn eq(&self, other: &Self) -> bool {
        if self.len != other.len {
            return false;
        }
        let mut a = self.last.as_ref();
        let mut b = other.last.as_ref();
        loop {
            match (a, b) {
                (Some(x), Some(y)) => {
                    if Arc::ptr_eq(x, y) {
                        return true;
                    }
                    if x.item != y.item {
                        return false;
                    }
                    a = x.prev.as_ref();
                    b = y.prev.as_ref();
                }
                (None, None) => return true,
                _ => return false,
            }
        }
    }
}

impl<T: Eq> Eq for Log<T> {}

impl<T: fmt::Debug> fmt::Debug for Log<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T> FromIterator<T> for Log<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut log = Log::new();
        log.extend(iter);
        log
    }
}

impl<T> Extend<T> for Log<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for item in iter {
            self.push(item);
        }
    }
}

impl<'a, T> IntoIterator for &'a Log<T> {
    type Item = &'a T;
    type IntoIter = std::iter::Rev<std::vec::IntoIter<&'a T>>;

    /// The entries from the first to the newest.
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Serialize> Serialize for Log<T> {
    /// As a sequence, first entry first.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Log<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<T>::deserialize(deserializer)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_in_order_and_clones_share() {
        let mut a: Log<u32> = (1..=3).collect();
        let b = a.clone();
        a.push(4);
        assert_eq!(a.iter().copied().collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert_eq!(b.iter().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(a.len(), 4);
        assert_eq!(a.last(), Some(&4));
        assert_eq!(a.get(0), Some(&1));
        assert_eq!(a.get(3), Some(&4));
        assert_eq!(a.get(4), None);
        assert_ne!(a, b);
        let mut c = b.clone();
        c.push(4);
        assert_eq!(a, c);
    }

    #[test]
    fn serialises_as_a_sequence_first_entry_first() {
        let log: Log<u32> = [5, 6, 7].into_iter().collect();
        let json = serde_json::to_string(&log).expect("serialises");
        assert_eq!(json, "[5,6,7]");
        let back: Log<u32> = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, log);
    }

    #[test]
    fn a_long_log_drops_without_recursion() {
        let log: Log<u64> = (0..1_000_000).collect();
        let shared = log.clone();
        drop(log);
        assert_eq!(shared.len(), 1_000_000);
        drop(shared);
    }
}
