//! The runtime of the shipped (no-std) wasm: an allocator and a panic handler.
//!
//! A panic is a bug; in the page it must cost nothing and say nothing: the handler traps,
//! the trap surfaces as a JavaScript exception in the loader's try/catch, and the loader logs
//! it. Nothing formats the panic message, so `core::fmt` is not linked (about 10 KB gzip).

// SAFETY: wasm32 without the atomics feature has a single thread.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
