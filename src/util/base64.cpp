#include "serin/util/base64.h"

#include <array>
#include <cstdint>

namespace serin::util {
namespace {

constexpr std::string_view kStandardChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int8_t, 256> reverseTable(std::string_view chars) {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < chars.size(); ++i) {
    table[static_cast<unsigned char>(chars[i])] = static_cast<int8_t>(i);
  }
  return table;
}

constexpr auto kStandardValues = reverseTable(kStandardChars);
constexpr auto kUrlValues = reverseTable(kUrlChars);

}  // namespace

std::string base64Encode(std::string_view data, Base64Alphabet alphabet) {
  const std::string_view chars = alphabet == Base64Alphabet::kStandard ? kStandardChars : kUrlChars;
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(chars[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(chars[(buffer << (6 - bits)) & 0x3f]);
  if (alphabet == Base64Alphabet::kStandard) {
    while (out.size() % 4 != 0) out.push_back('=');
  }
  return out;
}

std::optional<std::string> base64Decode(std::string_view text, Base64Alphabet alphabet) {
  const bool standard = alphabet == Base64Alphabet::kStandard;
  const auto& values = standard ? kStandardValues : kUrlValues;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t buffer = 0;
  int bits = 0;
  std::size_t symbols = 0;  // alphabet characters and padding, line breaks excluded
  std::size_t padding = 0;
  for (char ch : text) {
    if (standard && (ch == '\r' || ch == '\n')) continue;
    ++symbols;
    if (ch == '=' && standard) {
      ++padding;
      continue;
    }
    int8_t value = values[static_cast<unsigned char>(ch)];
    if (value < 0 || padding > 0) return std::nullopt;  // unknown char, or data after '='
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (standard) {
    if (symbols % 4 != 0 || padding > 2) return std::nullopt;
  } else if (symbols % 4 == 1) {
    return std::nullopt;  // one leftover symbol cannot encode a byte
  }
  return out;
}

}  // namespace serin::util
