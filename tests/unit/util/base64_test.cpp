#include "serin/util/base64.h"

#include <gtest/gtest.h>

namespace serin::util {
namespace {

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, RawUrlAlphabetHasNoPaddingAndUrlSafeCharacters) {
  EXPECT_EQ(base64Encode("f", Base64Alphabet::kRawUrl), "Zg");
  EXPECT_EQ(base64Encode("\xfb\xff", Base64Alphabet::kRawUrl), "-_8");
  EXPECT_EQ(base64Encode("\xfb\xff"), "+/8=");
}

TEST(Base64Test, DecodesWhatItEncodesForEveryLengthModuloThree) {
  std::string data;
  for (int i = 0; i < 40; ++i) {
    data.push_back(static_cast<char>(i * 37));
    EXPECT_EQ(base64Decode(base64Encode(data)), data);
    EXPECT_EQ(base64Decode(base64Encode(data, Base64Alphabet::kRawUrl), Base64Alphabet::kRawUrl),
              data);
  }
}

TEST(Base64Test, StandardIgnoresLineBreaks) { EXPECT_EQ(base64Decode("Zm9v\nYmFy\r\n"), "foobar"); }

TEST(Base64Test, RejectsMalformedInput) {
  EXPECT_FALSE(base64Decode("Zm9"));                             // length not a multiple of four
  EXPECT_FALSE(base64Decode("Zm9v!A=="));                        // character outside the alphabet
  EXPECT_FALSE(base64Decode("Zg==Zg=="));                        // data after padding
  EXPECT_FALSE(base64Decode("Z==="));                            // too much padding
  EXPECT_FALSE(base64Decode("Zg==", Base64Alphabet::kRawUrl));   // padding in raw form
  EXPECT_FALSE(base64Decode("Zm9vY", Base64Alphabet::kRawUrl));  // a dangling symbol
  EXPECT_FALSE(base64Decode("+/8=", Base64Alphabet::kRawUrl));   // standard-only characters
}

}  // namespace
}  // namespace serin::util
