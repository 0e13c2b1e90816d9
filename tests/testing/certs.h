// TestPki: throw-away certificates for TLS tests (a CA, a server certificate for 127.0.0.1
// and localhost, a client certificate), all issued through util/pki.
#pragma once

#include <string>

#include "serin/util/http_server.h"
#include "serin/util/pki.h"

namespace serin::testing {

struct TestPki {
  util::KeyPair ca;
  util::KeyPair server;
  util::KeyPair client;  // CN "serin-test-client", O "system:masters"

  // Server TLS options; with `clientCa`, client certificates signed by ca are verified and,
  // with `requireClientCert`, demanded.
  util::TlsOptions serverTls(bool clientCa = false, bool requireClientCert = false) const;
};

// Fails the current test (ADD_FAILURE) and returns empty PEMs if issuing fails.
TestPki makeTestPki(const std::string& caName = "serin-test-ca");

}  // namespace serin::testing
