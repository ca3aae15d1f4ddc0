//! `yuqing serve`: the analysts' web API until Ctrl-C / SIGTERM.

use crate::app::App;
use clap::Args;
use std::process::ExitCode;

/// Options of `yuqing serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: [server] addr, 127.0.0.1:8080].
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<std::net::SocketAddr>,
}

/// Serves `app` on `addr` from a thread of its own (for `yuqing run` and
/// the demo); returns the bound address.
pub fn spawn(app: &App, addr: std::net::SocketAddr) -> anyhow::Result<std::net::SocketAddr> {
    let listener = std::net::TcpListener::bind(addr)
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e} (set [server] addr)"))?;
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    let state = crate::web::state(app.clone(), &bound)?;
    std::thread::Builder::new()
        .name("web".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime for the web server");
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a bound listener");
                if let Err(error) = crate::web::serve(listener, state, std::future::pending()).await
                {
                    tracing::error!(%error, "web server stopped");
                }
            });
        })?;
    Ok(bound)
}

/// Serves until interrupted.
pub fn run(app: &App, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let addr = match args.addr {
        Some(addr) => addr,
        None => app.config.server.clone().unwrap_or_default().addr.parse()?,
    };
    let state = crate::web::state(app.clone(), &addr)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        let bound = listener.local_addr()?;
        eprintln!("yuqing serve: http://{bound}/ (API under /api/v1/); Ctrl-C stops");
        crate::web::serve(listener, state, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    })?;
    Ok(ExitCode::SUCCESS)
}
