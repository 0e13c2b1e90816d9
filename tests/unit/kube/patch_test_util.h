// Helpers shared by the patch tests: JSON literals and table-driven case plumbing.
#pragma once

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "serin/kube/object.h"

namespace serin::kube::patch_test {

// Parses a JSON literal written in a test table; a typo fails the test rather than crashing it.
inline Json json(std::string_view text) {
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(value.is_discarded()) << "bad JSON literal in test table: " << text;
  return value;
}

// gtest parameter names for tables whose rows carry a `name`.
struct CaseName {
  template <typename Param>
  std::string operator()(const ::testing::TestParamInfo<Param>& info) const {
    return info.param.name;
  }
};

inline const GroupVersionKind kDeployment{"apps", "v1", "Deployment"};
inline const GroupVersionKind kPod{"", "v1", "Pod"};
inline const GroupVersionKind kRollout{"argoproj.io", "v1alpha1", "Rollout"};

}  // namespace serin::kube::patch_test
