mod analyze;
mod cli;
mod common;
mod config;
mod crawl;
mod demo;
mod privacy;
mod search;
