//! A tolerant reader in front of tower-lsp-server's transport. That
//! transport stops reading for good at the first message it cannot decode
//! (bad JSON, bytes that are not UTF-8, JSON that is not a JSON-RPC
//! message, a bad header): the server would then exit on one malformed
//! message. Here every message is framed and checked first; a bad one is
//! replaced by a request for `MALFORMED` with a null id, whose handler
//! answers the JSON-RPC error a client expects (-32700 parse error or
//! -32600 invalid request, id null), and the stream goes on.

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response};

/// The method that stands for a message that could not be decoded.
pub const MALFORMED: &str = "$/perfi/malformedMessage";

/// Header lines longer than this are garbage, not headers.
const MAX_HEADER_LINE: u64 = 8 * 1024;
/// Larger bodies are refused (and skipped) instead of allocated.
const MAX_BODY: usize = 512 << 20;

/// Parameters of a `MALFORMED` request: the error to answer.
#[derive(serde::Deserialize)]
pub struct MalformedParams {
    pub code: i64,
    pub message: String,
}

/// The handler's answer for a `MALFORMED` request.
pub fn malformed_error(p: MalformedParams) -> Error {
    Error { code: ErrorCode::from(p.code), message: p.message.into(), data: None }
}

fn malformed(code: i64, message: String) -> Vec<u8> {
    json!({"jsonrpc": "2.0", "id": null, "method": MALFORMED, "params": {"code": code, "message": message}}).to_string().into_bytes()
}

/// Check one body: the body itself when the transport can decode it, else
/// a `MALFORMED` request describing why not.
pub fn check_body(body: Vec<u8>) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(&body) else { return malformed(-32700, "message body is not UTF-8".into()) };
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return malformed(-32700, format!("message body is not JSON: {e}")),
    };
    if serde_json::from_value::<Request>(v.clone()).is_err() && serde_json::from_value::<Response>(v).is_err() {
        return malformed(-32600, "not a JSON-RPC request, notification or response".into());
    }
    body
}

/// Copy messages from `input` to `output`, reframed, with undecodable ones
/// replaced (see the module comment). Returns at the end of the input or
/// when `output` is closed.
pub async fn relay<I, O>(input: I, mut output: O) -> std::io::Result<()>
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut r = BufReader::new(input);
    loop {
        // Headers: lines up to an empty one.
        let mut len: Option<Result<usize, String>> = None;
        let mut saw_header = false;
        loop {
            let mut line = Vec::new();
            let n = (&mut r).take(MAX_HEADER_LINE).read_until(b'\n', &mut line).await?;
            if n == 0 {
                return Ok(());
            }
            let l = String::from_utf8_lossy(&line);
            let l = l.trim_end_matches(['\r', '\n']);
            if l.is_empty() {
                if saw_header {
                    break;
                }
                continue;
            }
            saw_header = true;
            if let Some((name, value)) = l.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    len = Some(value.trim().parse::<usize>().map_err(|_| format!("bad Content-Length `{}`", value.trim())));
                }
            }
        }
        let body = match len {
            Some(Ok(n)) if n <= MAX_BODY => {
                let mut body = vec![0u8; n];
                r.read_exact(&mut body).await?;
                check_body(body)
            }
            Some(Ok(n)) => {
                tokio::io::copy(&mut (&mut r).take(n as u64), &mut tokio::io::sink()).await?;
                malformed(-32600, format!("message of {n} bytes is larger than {MAX_BODY}"))
            }
            Some(Err(e)) => malformed(-32700, e),
            None => malformed(-32700, "message header without Content-Length".into()),
        };
        output.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes()).await?;
        output.write_all(&body).await?;
        output.flush().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(out: &[u8]) -> Option<i64> {
        let v: Value = serde_json::from_slice(out).ok()?;
        (v["method"] == MALFORMED).then(|| v["params"]["code"].as_i64()).flatten()
    }

    #[test]
    fn bodies_are_checked() {
        let ok = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#.to_vec();
        assert_eq!(check_body(ok.clone()), ok);
        let resp = br#"{"jsonrpc":"2.0","id":1,"result":null}"#.to_vec();
        assert_eq!(check_body(resp.clone()), resp);
        assert_eq!(code_of(&check_body(b"{\"jsonrpc\":".to_vec())), Some(-32700));
        assert_eq!(code_of(&check_body(b"\xff\xfe".to_vec())), Some(-32700));
        assert_eq!(code_of(&check_body(b"[1,2]".to_vec())), Some(-32600));
    }

    #[tokio::test]
    async fn relay_reframes_and_survives_garbage() {
        let input: &[u8] = b"Content-Length: 3\r\n\r\n{x}Content-Type: text\r\n\r\nContent-Length: zz\r\n\r\nContent-Length: 2\r\n\r\n{}";
        let mut out = Vec::new();
        relay(input, &mut out).await.expect("relay");
        let text = String::from_utf8(out).expect("utf-8");
        // Four messages: bad JSON, no length, bad length, then `{}` (JSON,
        // but not a JSON-RPC message).
        assert_eq!(text.matches("Content-Length:").count(), 4, "{text}");
        assert_eq!(text.matches(MALFORMED).count(), 4, "{text}");
    }
}
