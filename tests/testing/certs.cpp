#include "testing/certs.h"

#include <gtest/gtest.h>

namespace serin::testing {

util::TlsOptions TestPki::serverTls(bool clientCa, bool requireClientCert) const {
  util::TlsOptions tls;
  tls.certPem = server.certPem;
  tls.keyPem = server.keyPem;
  if (clientCa) tls.clientCaPem = ca.certPem;
  tls.requireClientCert = requireClientCert;
  return tls;
}

TestPki makeTestPki(const std::string& caName) {
  TestPki pki;
  auto ca = util::createCertificateAuthority(caName);
  if (!ca.isOk()) {
    ADD_FAILURE() << "createCertificateAuthority: " << ca.status();
    return pki;
  }
  pki.ca = *ca;
  util::CertificateRequest server;
  server.commonName = "127.0.0.1";
  server.dnsNames = {"localhost", "apiserver.test"};
  server.ipAddresses = {"127.0.0.1"};
  auto server_pair = util::issueCertificate(pki.ca, server);
  util::CertificateRequest client;
  client.commonName = "serin-test-client";
  client.organizations = {"system:masters"};
  client.serverAuth = false;
  client.clientAuth = true;
  auto client_pair = util::issueCertificate(pki.ca, client);
  if (!server_pair.isOk() || !client_pair.isOk()) {
    ADD_FAILURE() << "issueCertificate: " << server_pair.status() << " " << client_pair.status();
    return pki;
  }
  pki.server = *server_pair;
  pki.client = *client_pair;
  return pki;
}

}  // namespace serin::testing
