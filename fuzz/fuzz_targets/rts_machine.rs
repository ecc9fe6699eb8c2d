#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| x400::fuzz::rts_machine(data));
