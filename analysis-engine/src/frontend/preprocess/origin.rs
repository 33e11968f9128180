//! The map from a piece's expanded text back to the user's text of its file.
//!
//! The expanded text is a sequence of blocks, monotone in both texts:
//! verbatim blocks (bytes map to themselves plus the running shift) and
//! invocation blocks (a macro use: its expansion, padding and newlines). Inside
//! an invocation block, tokens that came from a macro argument written in
//! this file map to that argument token (`args`).

use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub expanded: Range<usize>,
    pub user: Range<usize>,
    /// index into `Piece::macro_uses`, or None for verbatim bytes
    pub use_idx: Option<usize>,
    /// length of the expansion's tokens inside `expanded` (the rest is padding)
    pub tokens_len: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OriginMap {
    pub(crate) blocks: Vec<Block>,
    /// (expanded range of an argument token, user offset of that token)
    pub(crate) args: Vec<(Range<usize>, usize)>,
    pub(crate) names: Vec<String>,
    pub(crate) expanded_len: usize,
    pub(crate) user_len: usize,
}

/// Where an expanded byte came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub user_byte: usize,
    /// the macro whose use produced this byte, and the use's user range
    pub macro_name: Option<String>,
    pub invocation: Option<Range<usize>>,
    /// true when the byte belongs to a token of a macro argument
    pub from_argument: bool,
}

impl OriginMap {
    fn block_at(&self, e: usize) -> Option<&Block> {
        let k = self.blocks.partition_point(|b| b.expanded.end <= e);
        self.blocks.get(k)
    }

    pub fn to_user(&self, expanded_byte: usize) -> usize {
        self.origin(expanded_byte).user_byte
    }

    pub fn origin(&self, e: usize) -> Origin {
        let k = self.args.partition_point(|(r, _)| r.end <= e);
        let arg = self.args.get(k).filter(|(r, _)| r.start <= e).map(|(r, u)| u + (e - r.start));
        let Some(b) = self.block_at(e) else {
            let shift = self.user_len as isize - self.expanded_len as isize;
            let u = (e as isize + shift).max(0) as usize;
            return Origin { user_byte: u.min(self.user_len), macro_name: None, invocation: None, from_argument: false };
        };
        match b.use_idx {
            None => Origin {
                user_byte: b.user.start + (e - b.expanded.start).min(b.user.len()),
                macro_name: None,
                invocation: None,
                from_argument: false,
            },
            Some(idx) => {
                let in_tokens = e < b.expanded.start + b.tokens_len;
                let user_byte = match arg {
                    Some(u) => u,
                    None if in_tokens => b.user.start,
                    None => b.user.end,
                };
                Origin {
                    user_byte,
                    macro_name: self.names.get(idx).cloned(),
                    invocation: Some(b.user.clone()),
                    from_argument: arg.is_some(),
                }
            }
        }
    }

    /// First expanded byte at or after `user_byte` (an offset inside a macro
    /// use gives the start of its expansion).
    pub fn from_user(&self, u: usize) -> usize {
        let k = self.blocks.partition_point(|b| b.user.end <= u);
        let Some(b) = self.blocks.get(k) else { return self.expanded_len };
        if u < b.user.start {
            return b.expanded.start;
        }
        match b.use_idx {
            None => b.expanded.start + (u - b.user.start),
            Some(_) => b.expanded.start,
        }
    }

    pub(crate) fn push_verbatim(&mut self, exp_start: usize, user: Range<usize>) {
        if user.is_empty() {
            return;
        }
        let len = user.len();
        if let Some(last) = self.blocks.last_mut() {
            if last.use_idx.is_none() && last.expanded.end == exp_start && last.user.end == user.start {
                last.expanded.end += len;
                last.user.end = user.end;
                return;
            }
        }
        self.blocks.push(Block { expanded: exp_start..exp_start + len, user, use_idx: None, tokens_len: len });
    }
}
