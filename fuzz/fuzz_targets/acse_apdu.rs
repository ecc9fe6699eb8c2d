#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| x400_test_kit::fuzz::acse_apdu(data));
