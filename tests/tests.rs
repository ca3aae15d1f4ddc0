//! Integration tests: one binary (ripgrep style), a fresh temp dir per test,
//! the real `yuqing` binary for command-line behaviour.

mod suite;
