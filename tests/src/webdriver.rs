//! A minimal W3C WebDriver client over reqwest, enough to drive the app's webview through
//! tauri-driver: start a session for the app binary, find elements by CSS, click, type, read
//! text, wait for conditions, and save screenshots.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine;
use serde_json::{json, Value};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running tauri-driver; killed on drop.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

impl Driver {
    /// Starts tauri-driver; `env` is passed on to the app it launches.
    pub fn start(env: &[(&str, &Path)]) -> Result<Driver> {
        let port = free_port()?;
        let native = free_port()?;
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .context("could not start tauri-driver (scripts/install-deps.sh installs it)")?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("tauri-driver did not listen on {port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Driver { child, port })
    }
}

/// A WebDriver session: the app running under test.
pub struct Session {
    http: reqwest::Client,
    base: String,
    id: String,
}

pub struct Element(String);

impl Session {
    /// Launches `app` with `args` through the driver.
    pub async fn start(driver: &Driver, app: &Path, args: &[&str]) -> Result<Session> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        let base = format!("http://127.0.0.1:{}", driver.port);
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "wry",
                "tauri:options": { "application": app, "args": args }
            }}
        });
        // tauri-driver drops the first connection now and then when the machine is loaded (seen
        // as "connection closed before message completed" with the app never started): one more
        // try after a pause. An app that cannot start fails both.
        let mut attempt = 0;
        let v: Value = loop {
            attempt += 1;
            let sent = http
                .post(format!("{base}/session"))
                .json(&caps)
                .send()
                .await;
            match sent {
                Ok(r) => break r.json().await?,
                Err(e) if attempt < 2 && (e.is_connect() || e.is_request()) => {
                    eprintln!("tauri-driver did not answer the new session ({e}); trying again");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        let id = v["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("no session id from tauri-driver: {v}"))?
            .to_string();
        Ok(Session { http, base, id })
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}/session/{}{}", self.base, self.id, path);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await?.json().await?;
        if let Some(err) = v["value"].get("error") {
            bail!("webdriver {path}: {err} {}", v["value"]["message"]);
        }
        Ok(v["value"].clone())
    }

    pub async fn find(&self, css: &str) -> Result<Element> {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await
            .with_context(|| format!("element {css}"))?;
        let id = v[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| anyhow!("bad element reply {v}"))?;
        Ok(Element(id.to_string()))
    }

    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str())
                    .map(|s| Element(s.to_string()))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Waits until `css` matches an element, up to `timeout`.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.find(css).await {
                Ok(e) => return Ok(e),
                Err(e) if Instant::now() > deadline => {
                    return Err(e.context(format!("waited {timeout:?}")))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(150)).await,
            }
        }
    }

    /// Waits until the element at `css` has text containing `want`.
    pub async fn wait_for_text(&self, css: &str, want: &str, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        let mut last = String::new();
        loop {
            if let Ok(e) = self.find(css).await {
                if let Ok(t) = self.text(&e).await {
                    if t.contains(want) {
                        return Ok(t);
                    }
                    last = t;
                }
            }
            if Instant::now() > deadline {
                bail!("{css} never showed {want:?} within {timeout:?}; last text: {last:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn text(&self, el: &Element) -> Result<String> {
        let v = self
            .cmd(
                reqwest::Method::GET,
                &format!("/element/{}/text", el.0),
                None,
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    pub async fn attr(&self, el: &Element, name: &str) -> Result<Option<String>> {
        let v = self
            .cmd(
                reqwest::Method::GET,
                &format!("/element/{}/attribute/{name}", el.0),
                None,
            )
            .await?;
        Ok(v.as_str().map(str::to_string))
    }

    pub async fn click(&self, el: &Element) -> Result<()> {
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{}/click", el.0),
            Some(json!({})),
        )
        .await?;
        Ok(())
    }

    pub async fn click_css(&self, css: &str) -> Result<()> {
        let el = self.wait_for(css, Duration::from_secs(10)).await?;
        self.click(&el).await
    }

    pub async fn type_text(&self, el: &Element, text: &str) -> Result<()> {
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{}/value", el.0),
            Some(json!({"text": text})),
        )
        .await?;
        Ok(())
    }

    pub async fn clear(&self, el: &Element) -> Result<()> {
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{}/clear", el.0),
            Some(json!({})),
        )
        .await?;
        Ok(())
    }

    pub async fn execute(&self, script: &str, args: Value) -> Result<Value> {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Saves a PNG of the window to `dir/name.png`.
    pub async fn screenshot(&self, dir: &Path, name: &str) -> Result<PathBuf> {
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await?;
        let b64 = v.as_str().ok_or_else(|| anyhow!("no screenshot data"))?;
        let png = base64::engine::general_purpose::STANDARD.decode(b64)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Ends the session (the driver closes the app).
    pub async fn quit(self) -> Result<()> {
        let url = format!("{}/session/{}", self.base, self.id);
        self.http.delete(url).send().await?;
        Ok(())
    }
}
