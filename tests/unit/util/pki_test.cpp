#include "serin/util/pki.h"

#include <memory>
#include <set>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace serin::util {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parseCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

bool verifies(const std::string& ca_pem, const std::string& cert_pem, int purpose) {
  X509Ptr ca = parseCert(ca_pem);
  X509Ptr cert = parseCert(cert_pem);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

CertificateRequest named(std::string cn, std::vector<std::string> ips = {}) {
  CertificateRequest req;
  req.commonName = std::move(cn);
  req.dnsNames = {req.commonName};
  req.ipAddresses = std::move(ips);
  return req;
}

TEST(PkiTest, CertificateAuthorityIsASelfSignedCa) {
  auto ca = createCertificateAuthority("test-ca");
  ASSERT_TRUE(ca.isOk()) << ca.status();
  EXPECT_NE(ca->keyPem.find("PRIVATE KEY"), std::string::npos);
  X509Ptr cert = parseCert(ca->certPem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_get_version(cert.get()), 2);  // v3
  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  EXPECT_EQ(X509_check_issued(cert.get(), cert.get()), X509_V_OK);
  EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
  EXPECT_NE(X509_get0_authority_key_id(cert.get()), nullptr);
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_get_bits(key), 256);
}

TEST(PkiTest, ServerCertificateCarriesSansAndVerifiesAgainstCa) {
  auto ca = createCertificateAuthority("test-ca");
  ASSERT_TRUE(ca.isOk());
  CertificateRequest req;
  req.commonName = "apiserver";
  req.dnsNames = {"localhost", "kubernetes.default.svc"};
  req.ipAddresses = {"127.0.0.1", "::1"};
  auto pair = issueCertificate(*ca, req);
  ASSERT_TRUE(pair.isOk()) << pair.status();
  X509Ptr cert = parseCert(pair->certPem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_host(cert.get(), "kubernetes.default.svc", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_ip_asc(cert.get(), "10.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_TRUE(verifies(ca->certPem, pair->certPem, X509_PURPOSE_SSL_SERVER));
  EXPECT_FALSE(verifies(ca->certPem, pair->certPem, X509_PURPOSE_SSL_CLIENT));
  EXPECT_NE(X509_get0_authority_key_id(cert.get()), nullptr);
}

TEST(PkiTest, ClientCertificateHasGroupsAndClientAuth) {
  auto ca = createCertificateAuthority("test-ca");
  ASSERT_TRUE(ca.isOk());
  CertificateRequest req;
  req.commonName = "admin";
  req.organizations = {"system:masters"};
  req.serverAuth = false;
  req.clientAuth = true;
  auto pair = issueCertificate(*ca, req);
  ASSERT_TRUE(pair.isOk()) << pair.status();
  EXPECT_TRUE(verifies(ca->certPem, pair->certPem, X509_PURPOSE_SSL_CLIENT));
  X509Ptr cert = parseCert(pair->certPem);
  char buf[256];
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_organizationName, buf,
                            sizeof(buf));
  EXPECT_STREQ(buf, "system:masters");
}

TEST(PkiTest, OtherCaDoesNotVerify) {
  auto ca = createCertificateAuthority("a");
  auto other = createCertificateAuthority("b");
  ASSERT_TRUE(ca.isOk() && other.isOk());
  auto pair = issueCertificate(*ca, named("x"));
  ASSERT_TRUE(pair.isOk());
  EXPECT_FALSE(verifies(other->certPem, pair->certPem, X509_PURPOSE_SSL_SERVER));
}

TEST(PkiTest, SerialsAreRandom) {
  auto ca = createCertificateAuthority("a");
  ASSERT_TRUE(ca.isOk());
  auto a = issueCertificate(*ca, named("x"));
  auto b = issueCertificate(*ca, named("x"));
  ASSERT_TRUE(a.isOk() && b.isOk());
  X509Ptr ca_cert = parseCert(a->certPem), cb = parseCert(b->certPem);
  EXPECT_NE(
      ASN1_INTEGER_cmp(X509_get0_serialNumber(ca_cert.get()), X509_get0_serialNumber(cb.get())), 0);
}

TEST(PkiTest, BadInputIsInvalid) {
  auto ca = createCertificateAuthority("a");
  ASSERT_TRUE(ca.isOk());
  auto bad_ip = issueCertificate(*ca, named("x", {"not-an-ip"}));
  EXPECT_TRUE(bad_ip.status().is(StatusCode::kInvalid)) << bad_ip.status();
  auto bad_ca = issueCertificate(KeyPair{"garbage", "garbage"}, named("x"));
  EXPECT_TRUE(bad_ca.status().is(StatusCode::kInvalid)) << bad_ca.status();
  auto other = createCertificateAuthority("b");
  ASSERT_TRUE(other.isOk());
  auto mismatched = issueCertificate(KeyPair{ca->certPem, other->keyPem}, named("x"));
  EXPECT_TRUE(mismatched.status().is(StatusCode::kInvalid)) << mismatched.status();
}

TEST(PkiTest, RandomTokenIsHexAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto token = randomToken(16);
    ASSERT_TRUE(token.isOk());
    EXPECT_EQ(token->size(), 32u);
    EXPECT_EQ(token->find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(*token);
  }
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_EQ(randomToken()->size(), 48u);
}

}  // namespace
}  // namespace serin::util
