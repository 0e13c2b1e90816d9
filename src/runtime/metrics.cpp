#include "serin/runtime/metrics.h"

#include <sstream>

#include <prometheus/text_serializer.h>

#include "serin/version.h"

namespace serin::runtime {
namespace {

// client-go's workqueue buckets: 10ns to 10s, one per decade.
prometheus::Histogram::BucketBoundaries workQueueBuckets() {
  prometheus::Histogram::BucketBoundaries b;
  for (double v = 1e-8; v <= 10.0 * 1.0001; v *= 10) b.push_back(v);
  return b;
}

// controller-runtime's reconcile_time_seconds buckets.
prometheus::Histogram::BucketBoundaries reconcileBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1,  0.15, 0.2,  0.25, 0.3,  0.35, 0.4,  0.45, 0.5, 0.6,
          0.7,   0.8,  0.9,   1.0,  1.25, 1.5,  1.75, 2.0,  2.5,  3.0,  3.5,  4.0,  4.5, 5.0,
          6.0,   7.0,  8.0,   9.0,  10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0};
}

class QueueMetrics final : public WorkQueueObserver {
 public:
  QueueMetrics(RuntimeMetrics& m, const std::string& name)
      : depth_(m.workQueueDepth().Add({{"name", name}})),
        adds_(m.workQueueAdds().Add({{"name", name}})),
        latency_(m.workQueueLatency().Add({{"name", name}}, workQueueBuckets())),
        work_(m.workDuration().Add({{"name", name}}, workQueueBuckets())),
        retries_(m.workQueueRetries().Add({{"name", name}})) {}

  void depth(std::size_t items) override { depth_.Set(static_cast<double>(items)); }
  void added() override { adds_.Increment(); }
  void queueLatency(double seconds) override { latency_.Observe(seconds); }
  void workDuration(double seconds) override { work_.Observe(seconds); }
  void retried() override { retries_.Increment(); }

 private:
  prometheus::Gauge& depth_;
  prometheus::Counter& adds_;
  prometheus::Histogram& latency_;
  prometheus::Histogram& work_;
  prometheus::Counter& retries_;
};

class ReconcileMetrics final : public ControllerObserver {
 public:
  ReconcileMetrics(RuntimeMetrics& m, const std::string& controller)
      : metrics_(m),
        controller_(controller),
        errors_(m.reconcileErrors().Add({{"controller", controller}})),
        time_(m.reconcileTime().Add({{"controller", controller}}, reconcileBuckets())) {}

  void reconciled(const std::string& result, double seconds) override {
    metrics_.reconcileTotal().Add({{"controller", controller_}, {"result", result}}).Increment();
    time_.Observe(seconds);
  }
  void reconcileError() override { errors_.Increment(); }

 private:
  RuntimeMetrics& metrics_;
  std::string controller_;
  prometheus::Counter& errors_;
  prometheus::Histogram& time_;
};

}  // namespace

RuntimeMetrics::RuntimeMetrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(registry ? std::move(registry) : std::make_shared<prometheus::Registry>()) {
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  using prometheus::BuildHistogram;
  auto& r = *registry_;
  build_info_ =
      &BuildGauge().Name("serin_build_info").Help("Serin build information; always 1.").Register(r);
  build_info_->Add({{"version", kVersion}, {"commit", kGitCommit}}).Set(1);
  workqueue_depth_ =
      &BuildGauge().Name("workqueue_depth").Help("Current depth of workqueue").Register(r);
  workqueue_adds_ = &BuildCounter()
                         .Name("workqueue_adds_total")
                         .Help("Total number of adds handled by workqueue")
                         .Register(r);
  workqueue_latency_ = &BuildHistogram()
                            .Name("workqueue_queue_duration_seconds")
                            .Help(
                                "How long in seconds an item stays in workqueue before being "
                                "requested")
                            .Register(r);
  work_duration_ = &BuildHistogram()
                        .Name("workqueue_work_duration_seconds")
                        .Help("How long in seconds processing an item from workqueue takes")
                        .Register(r);
  workqueue_retries_ = &BuildCounter()
                            .Name("workqueue_retries_total")
                            .Help("Total number of retries handled by workqueue")
                            .Register(r);
  reconcile_total_ = &BuildCounter()
                          .Name("controller_runtime_reconcile_total")
                          .Help("Total number of reconciliations per controller")
                          .Register(r);
  reconcile_errors_ = &BuildCounter()
                           .Name("controller_runtime_reconcile_errors_total")
                           .Help("Total number of reconciliation errors per controller")
                           .Register(r);
  reconcile_time_ = &BuildHistogram()
                         .Name("controller_runtime_reconcile_time_seconds")
                         .Help("Length of time per reconciliation per controller")
                         .Register(r);
  rest_requests_ = &BuildCounter()
                        .Name("rest_client_requests_total")
                        .Help("Number of HTTP requests, partitioned by status code and method.")
                        .Register(r);
  events_dropped_ = &BuildCounter()
                         .Name("serin_events_dropped_total")
                         .Help("Kubernetes Events dropped because the recorder queue was full")
                         .Register(r)
                         .Add({});
}

std::shared_ptr<WorkQueueObserver> RuntimeMetrics::workQueueObserver(const std::string& name) {
  return std::make_shared<QueueMetrics>(*this, name);
}

std::shared_ptr<ControllerObserver> RuntimeMetrics::controllerObserver(
    const std::string& controller) {
  return std::make_shared<ReconcileMetrics>(*this, controller);
}

void RuntimeMetrics::observeRequest(std::string_view verb, long http_status) {
  rest_requests_->Add({{"code", std::to_string(http_status)}, {"method", std::string(verb)}})
      .Increment();
}

std::string RuntimeMetrics::serialize() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace serin::runtime
