// Continue tokens for paged lists: opaque to clients (base64url of a small JSON document, as
// kube-apiserver's), pinning the snapshot revision, the list's scope and the last key returned.
// Private to src/cluster.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "serin/util/status.h"

namespace serin::cluster::detail {

struct ContinueToken {
  int64_t revision = 0;
  std::string resource;
  std::string ns;  // the list's namespace filter
  std::string last_ns;
  std::string last_name;
};

std::string encodeContinueToken(const ContinueToken& token);
// Invalid for anything this store did not produce.
StatusOr<ContinueToken> decodeContinueToken(std::string_view text);

}  // namespace serin::cluster::detail
