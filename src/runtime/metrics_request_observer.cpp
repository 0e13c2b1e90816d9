// Kept apart from metrics.cpp so that binaries which never install the observer do not pull
// in the HTTP client (kube::setGlobalRequestObserver lives there).
#include "serin/kube/client.h"
#include "serin/runtime/metrics.h"

namespace serin::runtime {

void RuntimeMetrics::installRequestObserver() {
  kube::setGlobalRequestObserver([this](std::string_view verb, long http_status, double) {
    observeRequest(verb, http_status);
  });
}

}  // namespace serin::runtime
