//! Cancellation: a flag the explorer polls, and a hook that interrupts Z3
//! while a query runs on the worker thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    /// Raw Z3 context of the query in flight (as an address), if any.
    z3: Mutex<Option<usize>>,
}

#[derive(Clone, Default)]
pub struct CancelToken(Arc<Inner>);

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::Relaxed)
    }
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::Relaxed);
        if let Ok(g) = self.0.z3.lock() {
            if let Some(addr) = *g {
                if let Some(ptr) = std::ptr::NonNull::new(addr as *mut z3_sys::_Z3_context) {
                    // SAFETY: the address is registered only while the worker
                    // holds the context alive inside `during_query`, and the
                    // lock keeps it from being cleared concurrently.
                    unsafe { z3_sys::Z3_interrupt(ptr) };
                }
            }
        }
    }
    /// Run a solver call with the context registered for interruption.
    pub fn during_query<R>(&self, ctx: &z3::Context, f: impl FnOnce() -> R) -> R {
        if let Ok(mut g) = self.0.z3.lock() {
            *g = Some(ctx.get_z3_context().as_ptr() as usize);
        }
        let r = f();
        if let Ok(mut g) = self.0.z3.lock() {
            *g = None;
        }
        r
    }
}
