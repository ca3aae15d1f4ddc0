mod cli;
mod common;
mod config;
mod privacy;
mod search;
