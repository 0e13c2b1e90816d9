// RuntimeMetrics: every Prometheus metric family the controller runtime exports, in one place.
//
// Dashboards and alerts written for client-go / controller-runtime controllers should work on
// Serin unchanged, so the families keep their names, labels and buckets:
//   serin_build_info{version,commit}                         gauge, always 1
//   workqueue_depth{name}                                    gauge
//   workqueue_adds_total{name}                               counter
//   workqueue_queue_duration_seconds{name}                   histogram (1e-8 .. 10s, x10)
//   workqueue_work_duration_seconds{name}                    histogram (1e-8 .. 10s, x10)
//   workqueue_retries_total{name}                            counter
//   controller_runtime_reconcile_total{controller,result}    counter; result is success,
//                                                            error, requeue or requeue_after
//   controller_runtime_reconcile_errors_total{controller}    counter
//   controller_runtime_reconcile_time_seconds{controller}    histogram (5ms .. 60s)
//   rest_client_requests_total{code,method}                  counter, fed by the kube client
//   serin_events_dropped_total                               counter (event recorder overflow)
// The families live on an injected prometheus::Registry that the ops server serializes.
//
// Threading: every method may be called from any thread (prometheus-cpp metrics are atomic
// or internally locked). Observers returned here stay valid while the RuntimeMetrics lives.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "serin/runtime/controller.h"
#include "serin/runtime/work_queue.h"

namespace serin::runtime {

class RuntimeMetrics {
 public:
  // A fresh registry when `registry` is null.
  explicit RuntimeMetrics(std::shared_ptr<prometheus::Registry> registry = nullptr);
  RuntimeMetrics(const RuntimeMetrics&) = delete;
  RuntimeMetrics& operator=(const RuntimeMetrics&) = delete;

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  // Hooks for WorkQueueOptions::observer / ControllerOptions::queueObserver.
  std::shared_ptr<WorkQueueObserver> workQueueObserver(const std::string& name);
  // Hooks for ControllerOptions::observer.
  std::shared_ptr<ControllerObserver> controllerObserver(const std::string& controller);

  // Counts one API request ("GET", 200).
  void observeRequest(std::string_view verb, long http_status);
  // Routes kube::setGlobalRequestObserver to observeRequest. This object must outlive every
  // request made afterwards (or call kube::setGlobalRequestObserver({}) first).
  void installRequestObserver();

  prometheus::Counter& eventsDropped() { return *events_dropped_; }

  // The Prometheus text exposition of the registry.
  std::string serialize() const;

  prometheus::Family<prometheus::Gauge>& workQueueDepth() { return *workqueue_depth_; }
  prometheus::Family<prometheus::Counter>& workQueueAdds() { return *workqueue_adds_; }
  prometheus::Family<prometheus::Histogram>& workQueueLatency() { return *workqueue_latency_; }
  prometheus::Family<prometheus::Histogram>& workDuration() { return *work_duration_; }
  prometheus::Family<prometheus::Counter>& workQueueRetries() { return *workqueue_retries_; }
  prometheus::Family<prometheus::Counter>& reconcileTotal() { return *reconcile_total_; }
  prometheus::Family<prometheus::Counter>& reconcileErrors() { return *reconcile_errors_; }
  prometheus::Family<prometheus::Histogram>& reconcileTime() { return *reconcile_time_; }
  prometheus::Family<prometheus::Counter>& restClientRequests() { return *rest_requests_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>* build_info_;
  prometheus::Family<prometheus::Gauge>* workqueue_depth_;
  prometheus::Family<prometheus::Counter>* workqueue_adds_;
  prometheus::Family<prometheus::Histogram>* workqueue_latency_;
  prometheus::Family<prometheus::Histogram>* work_duration_;
  prometheus::Family<prometheus::Counter>* workqueue_retries_;
  prometheus::Family<prometheus::Counter>* reconcile_total_;
  prometheus::Family<prometheus::Counter>* reconcile_errors_;
  prometheus::Family<prometheus::Histogram>* reconcile_time_;
  prometheus::Family<prometheus::Counter>* rest_requests_;
  prometheus::Counter* events_dropped_;
};

}  // namespace serin::runtime
