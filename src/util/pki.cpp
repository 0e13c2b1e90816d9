// PKI on OpenSSL 3: EC P-256 keys and X.509 v3 certificates signed with ECDSA-SHA256.
//
// Every OpenSSL object is held by a unique_ptr with its free function, so an early return on
// any failing call cannot leak. Extensions are built with X509V3_EXT_conf_nid, which parses
// OpenSSL's config syntax ("critical,CA:TRUE"); names that would break that syntax are
// rejected up front instead of being escaped.
#include "serin/util/pki.h"

#include <memory>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace serin::util {
namespace {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

constexpr long kBackdateSeconds = 5 * 60;  // tolerate small clock skew between peers

// The oldest queued OpenSSL error as text (queue cleared), for messages.
std::string opensslError(std::string_view what) {
  unsigned long code = ERR_get_error();
  std::string out(what);
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    out += ": ";
    out += buf;
  }
  ERR_clear_error();
  return out;
}

StatusOr<KeyPtr> generateKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return internalError(opensslError("generating EC P-256 key"));
  return key;
}

std::string bioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

StatusOr<std::string> certToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return internalError(opensslError("encoding certificate"));
  }
  return bioToString(bio.get());
}

StatusOr<std::string> keyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return internalError(opensslError("encoding private key"));
  }
  return bioToString(bio.get());
}

Status setRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return internalError(opensslError("RAND_bytes"));
  bytes[0] &= 0x7f;  // serials must be positive
  bytes[0] |= 0x01;  // and keep their full length
  BnPtr bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return internalError(opensslError("setting serial number"));
  }
  return Status::ok();
}

Status setSubject(X509* cert, const std::string& common_name,
                  const std::vector<std::string>& organizations) {
  X509_NAME* name = X509_get_subject_name(cert);
  for (const auto& org : organizations) {
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1,
                                   0) != 1) {
      return invalidError(opensslError("organization \"" + org + "\""));
    }
  }
  if (!common_name.empty() &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1) {
    return invalidError(opensslError("common name \"" + common_name + "\""));
  }
  return Status::ok();
}

Status addExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext) return invalidError(opensslError("certificate extension " + value));
  if (X509_add_ext(cert, ext.get(), -1) != 1) {
    return internalError(opensslError("adding extension " + value));
  }
  return Status::ok();
}

// A certificate with everything but extensions and signature: version 3, serial, validity,
// subject, issuer and public key.
StatusOr<X509Ptr> newCertificate(EVP_PKEY* key, const std::string& common_name,
                                 const std::vector<std::string>& organizations,
                                 std::chrono::hours validity, X509* issuer) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) {
    return internalError(opensslError("creating certificate"));
  }
  RETURN_IF_ERROR(setRandomSerial(cert.get()));
  long valid_seconds = static_cast<long>(std::chrono::seconds(validity).count());
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), valid_seconds) == nullptr) {
    return internalError(opensslError("setting validity"));
  }
  RETURN_IF_ERROR(setSubject(cert.get(), common_name, organizations));
  X509_NAME* issuer_name = X509_get_subject_name(issuer != nullptr ? issuer : cert.get());
  if (X509_set_issuer_name(cert.get(), issuer_name) != 1 || X509_set_pubkey(cert.get(), key) != 1) {
    return internalError(opensslError("setting issuer or public key"));
  }
  return cert;
}

Status checkSanValue(const std::string& value) {
  if (value.empty() || value.find_first_of(",\n") != std::string::npos) {
    return invalidError("subjectAltName entry \"" + value + "\" is not a valid name or address");
  }
  return Status::ok();
}

StatusOr<std::string> subjectAltNames(const CertificateRequest& request) {
  std::string san;
  for (const auto& dns : request.dnsNames) {
    RETURN_IF_ERROR(checkSanValue(dns));
    san += (san.empty() ? "DNS:" : ",DNS:") + dns;
  }
  for (const auto& ip : request.ipAddresses) {
    RETURN_IF_ERROR(checkSanValue(ip));
    san += (san.empty() ? "IP:" : ",IP:") + ip;
  }
  return san;
}

StatusOr<KeyPair> toKeyPair(X509* cert, EVP_PKEY* key) {
  KeyPair pair;
  ASSIGN_OR_RETURN(pair.certPem, certToPem(cert));
  ASSIGN_OR_RETURN(pair.keyPem, keyToPem(key));
  return pair;
}

}  // namespace

StatusOr<KeyPair> createCertificateAuthority(const std::string& commonName,
                                             std::chrono::hours validity) {
  ASSIGN_OR_RETURN(KeyPtr key, generateKey());
  ASSIGN_OR_RETURN(X509Ptr cert, newCertificate(key.get(), commonName, {}, validity, nullptr));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  RETURN_IF_ERROR(addExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE"));
  RETURN_IF_ERROR(addExtension(cert.get(), &ctx, NID_key_usage,
                               "critical,digitalSignature,keyCertSign,cRLSign"));
  RETURN_IF_ERROR(addExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  RETURN_IF_ERROR(addExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return internalError(opensslError("signing CA certificate"));
  }
  return toKeyPair(cert.get(), key.get());
}

StatusOr<KeyPair> issueCertificate(const KeyPair& ca, const CertificateRequest& request) {
  BioPtr cert_bio(BIO_new_mem_buf(ca.certPem.data(), static_cast<int>(ca.certPem.size())));
  X509Ptr ca_cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  BioPtr key_bio(BIO_new_mem_buf(ca.keyPem.data(), static_cast<int>(ca.keyPem.size())));
  KeyPtr ca_key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!ca_cert || !ca_key) return invalidError(opensslError("unreadable CA certificate or key"));
  if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) {
    return invalidError(opensslError("CA key does not match the CA certificate"));
  }
  if (!request.serverAuth && !request.clientAuth) {
    return invalidError("certificate request needs serverAuth or clientAuth");
  }
  ASSIGN_OR_RETURN(std::string san, subjectAltNames(request));

  ASSIGN_OR_RETURN(KeyPtr key, generateKey());
  ASSIGN_OR_RETURN(X509Ptr cert,
                   newCertificate(key.get(), request.commonName, request.organizations,
                                  request.validity, ca_cert.get()));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca_cert.get(), cert.get(), nullptr, nullptr, 0);
  std::string eku;
  if (request.serverAuth) eku = "serverAuth";
  if (request.clientAuth) eku += eku.empty() ? "clientAuth" : ",clientAuth";
  RETURN_IF_ERROR(addExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  RETURN_IF_ERROR(addExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature"));
  RETURN_IF_ERROR(addExtension(cert.get(), &ctx, NID_ext_key_usage, eku));
  RETURN_IF_ERROR(addExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  RETURN_IF_ERROR(addExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!san.empty()) {
    RETURN_IF_ERROR(addExtension(cert.get(), &ctx, NID_subject_alt_name, san));
  }
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0) {
    return internalError(opensslError("signing certificate"));
  }
  return toKeyPair(cert.get(), key.get());
}

StatusOr<std::string> randomToken(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (bytes > 0 &&
      RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return internalError(opensslError("RAND_bytes"));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0f]);
  }
  return out;
}

}  // namespace serin::util
