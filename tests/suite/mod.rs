mod analyze;
mod cli;
mod common;
mod config;
mod demo;
mod privacy;
mod search;
