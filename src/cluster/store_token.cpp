#include "store_token.h"

#include <nlohmann/json.hpp>

#include "serin/util/base64.h"

namespace serin::cluster::detail {

std::string encodeContinueToken(const ContinueToken& token) {
  nlohmann::json doc = {{"v", 1},         {"rv", token.revision}, {"r", token.resource},
                        {"ns", token.ns}, {"sn", token.last_ns},  {"sk", token.last_name}};
  return util::base64Encode(doc.dump(), util::Base64Alphabet::kRawUrl);
}

StatusOr<ContinueToken> decodeContinueToken(std::string_view text) {
  auto decoded = util::base64Decode(text, util::Base64Alphabet::kRawUrl);
  if (!decoded) return invalidError("continue token is not valid");
  auto doc = nlohmann::json::parse(*decoded, nullptr, /*allow_exceptions=*/false);
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
