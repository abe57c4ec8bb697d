//! HTTPS trusts what the operating system trusts: a certificate issued by a private CA (as an
//! on-premise ConnectWise or a TLS-inspecting proxy presents) is accepted once that CA is in the
//! OS trust store, and refused — with a message that says where to install it — when it is not.
//! On Linux the OS store is the system CA bundle, which `SSL_CERT_FILE` points at for this test
//! process (its own binary, so no other test sees the change).

use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

fn ca(name: &str) -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().expect("key");
    let cert = params.self_signed(&key).expect("self-signed");
    Ca { cert, key }
}

/// Serves `ok` over HTTPS on 127.0.0.1 with a `localhost` certificate issued by `issuer`.
async fn serve(issuer: &Ca) -> u16 {
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().expect("key");
    let leaf = params
        .signed_by(&key, &issuer.cert, &issuer.key)
        .expect("signed");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(leaf.der().to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = vec![0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = tls
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_ca_trusted_by_the_os_is_trusted() {
    let trusted = ca("PSA Bridge test CA (trusted by the OS)");
    let unknown = ca("PSA Bridge test CA (unknown)");
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = dir.path().join("ca-bundle.pem");
    std::fs::write(&bundle, trusted.cert.pem()).expect("write bundle");
    // The system CA bundle, as `update-ca-certificates` would have made it after the MSP added
    // its CA. Set before this process's first TLS handshake, when the OS roots are loaded.
    std::env::set_var("SSL_CERT_FILE", &bundle);
    std::env::remove_var("SSL_CERT_DIR");

    let good = serve(&trusted).await;
    let bad = serve(&unknown).await;
    let client = psa_bridge::http::client(Duration::from_secs(10)).expect("client");

    let res = client
        .get(format!("https://localhost:{good}/"))
        .send()
        .await
        .expect("the OS-trusted private CA is accepted");
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.expect("body"), "ok");

    let err = client
        .get(format!("https://localhost:{bad}/"))
        .send()
        .await
        .expect_err("a CA the OS does not trust is refused");
    let msg = psa_bridge::http::describe_transport(&err, "ConnectWise");
    assert!(
        msg.contains("not trusted") && msg.contains("operating system's certificate store"),
        "{msg}"
    );
}
