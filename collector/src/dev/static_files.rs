//! The demo pages and the built tag: `/` is `ROOT/examples/index.html`, `/examples/<path>`
//! is under `ROOT/examples`, `/dist/<path>` under `ROOT/dist`, `/test-pages/<path>` under
//! `ROOT/tests/e2e/pages`. Never cached, so a rebuild
//! shows on reload.
//!
//! A file `X` may have a sibling `X.headers` of `Name: value` lines, added to (or replacing)
//! the response headers of `X`: how a page gets a Content-Security-Policy for CSP tests.

use std::fs;
use std::path::{Path, PathBuf};

use super::percent::percent_decode;

/// A file to answer with: its headers (type, no caching, and its `.headers` sibling's) and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFile {
    /// Response headers, later ones replacing earlier ones of the same name.
    pub headers: Vec<(String, String)>,
    /// The file's bytes.
    pub body: Vec<u8>,
}

impl StaticFile {
    /// The value of a header, as it will be sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The file for a GET of `url_path` (still percent-encoded, without query string), or `None`.
pub fn serve(root: &Path, url_path: &str) -> Option<StaticFile> {
    let file = locate(root, url_path)?;
    let body = fs::read(&file).ok()?;
    let mut headers = vec![
        ("Content-Type".to_string(), content_type(&file).to_string()),
        ("Cache-Control".to_string(), "no-store".to_string()),
        ("X-Content-Type-Options".to_string(), "nosniff".to_string()),
    ];
    for (name, value) in extra_headers(&file) {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        headers.push((name, value));
    }
    Some(StaticFile { headers, body })
}

/// The file a URL path names, or `None` when the path is outside the served folders or
/// tries to climb out of them (`..`, also when percent-encoded as `%2e%2e`).
pub fn locate(root: &Path, url_path: &str) -> Option<PathBuf> {
    let (folder, rest) = if url_path == "/" {
        ("examples", "index.html")
    } else if let Some(rest) = url_path.strip_prefix("/examples/") {
        ("examples", rest)
    } else if let Some(rest) = url_path.strip_prefix("/dist/") {
        ("dist", rest)
    } else if let Some(rest) = url_path.strip_prefix("/test-pages/") {
        // Fixture pages of the end-to-end tests (tests/e2e/pages): edge cases, not demos.
        ("tests/e2e/pages", rest)
    } else {
        return None;
    };
    // Decode before splitting, so an encoded slash or dot cannot hide a `..` segment.
    let rest = percent_decode(rest, false)?;
    let mut path = root.join(folder);
    for segment in rest.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains(['\\', '\0']) => return None,
            s => path.push(s),
        }
    }
    if path.is_dir() {
        path.push("index.html");
    }
    Some(path)
}

/// The Content-Type for a file, by extension. `application/wasm` matters:
/// `WebAssembly.instantiateStreaming` refuses any other type.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The `Name: value` lines of the file's `.headers` sibling; blank lines and `#` comments
/// are skipped, as are lines that are not a valid header.
fn extra_headers(file: &Path) -> Vec<(String, String)> {
    let mut sibling = file.as_os_str().to_owned();
    sibling.push(".headers");
    let Ok(text) = fs::read_to_string(PathBuf::from(sibling)) else {
        return Vec::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            let name = name.trim();
            let valid =
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            valid.then(|| (name.to_string(), value.trim().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_root(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!(
            "rtp-collector-static-{}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("examples/sub")).unwrap();
        fs::create_dir_all(root.join("dist")).unwrap();
        root
    }

    #[test]
    fn urls_map_to_examples_and_dist_and_directories_to_their_index() {
        let root = Path::new("/srv");
        assert_eq!(locate(root, "/"), Some(root.join("examples/index.html")));
        assert_eq!(
            locate(root, "/examples/a/b.js"),
            Some(root.join("examples/a/b.js"))
        );
        assert_eq!(
            locate(root, "/dist/rtp_bg.wasm"),
            Some(root.join("dist/rtp_bg.wasm"))
        );
        assert_eq!(
            locate(root, "/examples/my%20page.html"),
            Some(root.join("examples/my page.html"))
        );
        assert_eq!(
            locate(root, "/test-pages/twice.html"),
            Some(root.join("tests/e2e/pages/twice.html"))
        );
        assert_eq!(locate(root, "/src/lib.rs"), None);
    }

    #[test]
    fn climbing_out_of_the_served_folders_is_refused() {
        let root = Path::new("/srv");
        for path in [
            "/examples/../Cargo.toml",
            "/dist/a/../../secret",
            "/examples/%2e%2e/Cargo.toml",
            "/examples/..%2fCargo.toml",
            "/examples/..%5cCargo.toml",
        ] {
            assert_eq!(locate(root, path), None, "{path}");
        }
    }

    #[test]
    fn wasm_and_scripts_get_the_types_browsers_require() {
        assert_eq!(content_type(Path::new("x/rtp_bg.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("loader.mjs")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("index.HTML")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("rtp.js.map")), "application/json");
        assert_eq!(
            content_type(Path::new("README")),
            "application/octet-stream"
        );
    }

    #[test]
    fn a_headers_sibling_adds_and_overrides_response_headers() {
        let root = temp_root("headers");
        fs::write(root.join("examples/csp.html"), "<p>hi</p>").unwrap();
        fs::write(
            root.join("examples/csp.html.headers"),
            "# for the CSP test\nContent-Security-Policy: script-src 'self' 'wasm-unsafe-eval'\n\nCache-Control: max-age=5\nnot a header\n",
        )
        .unwrap();
        let response = serve(&root, "/examples/csp.html").unwrap();
        assert_eq!(
            response.header("Content-Security-Policy"),
            Some("script-src 'self' 'wasm-unsafe-eval'")
        );
        assert_eq!(response.header("Cache-Control"), Some("max-age=5"));
        assert_eq!(response.header("not a header"), None);

        fs::write(root.join("examples/sub/index.html"), "sub").unwrap();
        let response = serve(&root, "/examples/sub/").unwrap();
        assert_eq!(response.body, b"sub");
        assert_eq!(response.header("Content-Security-Policy"), None);
        assert_eq!(serve(&root, "/examples/nope.html"), None);
        fs::remove_dir_all(&root).unwrap();
    }
}
