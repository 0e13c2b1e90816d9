#include "store_token.h"

#include <array>

#include <nlohmann/json.hpp>

namespace serin::cluster::detail {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64UrlEncode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3f]);
  return out;
}

bool base64UrlDecode(std::string_view in, std::string& out) {
  std::array<int, 256> values;
  values.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    values[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  }
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    if (values[c] < 0) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(values[c]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return true;
}

}  // namespace

std::string encodeContinueToken(const ContinueToken& token) {
  nlohmann::json doc = {{"v", 1},         {"rv", token.revision}, {"r", token.resource},
                        {"ns", token.ns}, {"sn", token.last_ns},  {"sk", token.last_name}};
  return base64UrlEncode(doc.dump());
}

StatusOr<ContinueToken> decodeContinueToken(std::string_view text) {
  std::string decoded;
  if (!base64UrlDecode(text, decoded)) return invalidError("continue token is not valid");
  auto doc = nlohmann::json::parse(decoded, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || doc.value("v", 0) != 1) {
    return invalidError("continue token is not valid");
  }
  try {
    ContinueToken token;
    token.revision = doc.at("rv").get<int64_t>();
    token.resource = doc.at("r").get<std::string>();
    token.ns = doc.at("ns").get<std::string>();
    token.last_ns = doc.at("sn").get<std::string>();
    token.last_name = doc.at("sk").get<std::string>();
    if (token.revision <= 0) return invalidError("continue token is not valid");
    return token;
  } catch (const nlohmann::json::exception&) {
    return invalidError("continue token is not valid");
  }
}

}  // namespace serin::cluster::detail
