//! `yuqing demo`: placeholder replaced below.
use clap::Args;
/// Options of `yuqing demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {}
/// Runs the demo.
pub fn run(_app: &crate::app::App, _args: &DemoArgs) -> anyhow::Result<std::process::ExitCode> {
    todo!()
}
