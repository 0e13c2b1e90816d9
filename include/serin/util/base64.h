// Base64: the one codec for kubeconfig `-data` fields, Secret values, continue tokens and
// discovery hashes, so every module encodes and decodes the same way.
//
// Two alphabets: kStandard (RFC 4648 §4, "+/", padded, as Go's base64.StdEncoding and
// Kubernetes' []byte JSON fields) and kRawUrl (RFC 4648 §5, "-_", unpadded, for opaque tokens
// in URLs). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace serin::util {

enum class Base64Alphabet { kStandard, kRawUrl };

std::string base64Encode(std::string_view data,
                         Base64Alphabet alphabet = Base64Alphabet::kStandard);

// nullopt for text that is not valid in the alphabet: a character outside it, a wrong length,
// misplaced or (kRawUrl) any padding. Like Go's decoders, kStandard ignores CR and LF, so
// base64 wrapped over lines decodes.
std::optional<std::string> base64Decode(std::string_view text,
                                        Base64Alphabet alphabet = Base64Alphabet::kStandard);

}  // namespace serin::util
