// PKI: a tiny certificate authority for the embedded control plane and for tests.
//
// `serin cluster` creates a CA, a serving certificate and client certificates on first start;
// tests create throw-away ones to exercise TLS with client-certificate authentication. Keys
// are ECDSA P-256; everything is exchanged as PEM strings. OpenSSL stays inside pki.cpp.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "serin/util/status.h"

namespace serin::util {

struct KeyPair {
  std::string certPem;
  std::string keyPem;
};

struct CertificateRequest {
  std::string commonName;
  std::vector<std::string> organizations;  // Kubernetes reads these as groups
  std::vector<std::string> dnsNames;       // subjectAltName DNS entries
  std::vector<std::string> ipAddresses;    // subjectAltName IP entries ("127.0.0.1", "::1")
  bool serverAuth = true;
  bool clientAuth = false;
  std::chrono::hours validity{24 * 365};
};

// A self-signed CA certificate and key.
StatusOr<KeyPair> createCertificateAuthority(
    const std::string& commonName, std::chrono::hours validity = std::chrono::hours(24 * 365 * 10));

// A certificate for `request`, signed by `ca`.
StatusOr<KeyPair> issueCertificate(const KeyPair& ca, const CertificateRequest& request);

// A random token of `bytes` random bytes, hex-encoded (admin tokens, webhook secrets).
StatusOr<std::string> randomToken(std::size_t bytes = 24);

}  // namespace serin::util
