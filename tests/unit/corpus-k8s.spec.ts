// The workload policies over real Kubernetes manifests of Go services (../shared/corpus/k8s, sources
// in SOURCES.md there). Every document whose kind carries a pod spec is given to the six workload
// policies with default config, as the Kubernetes provider registers it: its type token, and
// metadata.name as the resource name. Each workload's verdicts are listed exactly, as
// `<policy>: <where>: <what>`, in policy order. Every verdict was judged as the manifest's
// maintainers would, by the contract; a verdict the pack got wrong is fixed in the pack, never frozen here.
//
// Judged by the contract as written, including where the maintainers had their reasons:
// - workload-gomemlimit selects every container by default (`images: ["**"]`), so the Python
//   k8s-sidecar containers beside grafana, and images that run a Go controller next to a C/C++
//   proxy (ingress-nginx, haproxy, istio-proxy), are held to GOMEMLIMIT like any Go service.
// - Images that a build or a webhook replaces (`checkoutservice` for skaffold, `ko://…` for ko,
//   `auto` for istio's injector, no image at all in the mimir rendering) are judged as written.
// - Probes, GOMEMLIMIT env and the proxy image that istio's injector adds at pod creation are not
//   in the manifest, so the pack cannot credit them.
// - Requests that Kubernetes copies from limits when a pod is created (opentelemetry-collector,
//   grafana) are still "not set": the contract asks the manifest to set them.
// - Containers that need root for their job (flannel, istio-cni, the chown init container) fail
//   workload-run-as-non-root: the contract has no exception for them.
import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { rules } from "../../policies/index";
import type { AnyRule } from "../../policies/pulumi/rule";
import { WORKLOAD_POLICIES } from "../fixtures/policy-names";
import { sourcePath } from "../paths";
import { run } from "./helpers";

const CORPUS = sourcePath("..", "shared", "corpus", "k8s");

/** The kinds whose objects carry a pod spec. */
const WORKLOAD_KINDS = new Set(["Pod", "PodTemplate", "ReplicationController", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]);

interface WorkloadVerdicts {
    /** Position in the file, counted from 0 as SOURCES.md counts documents. */
    readonly document: number;
    /** `<type token> <name>`. */
    readonly resource: string;
    /** Every verdict the contract asks for, in policy order. */
    readonly verdicts: readonly string[];
}

interface Expectation {
    /** Every workload of the file, in file order. */
    readonly workloads: readonly WorkloadVerdicts[];
}

const EXPECTED: Record<string, Expectation> = {
    "GoogleCloudPlatform__microservices-demo__kubernetes-manifests__checkoutservice.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:Deployment checkoutservice",
                verdicts: [
                    'workload-gomemlimit: container "server": GOMEMLIMIT is not set',
                    'workload-probes: container "server": startupProbe is not set',
                    'workload-probes: container "server": livenessProbe and readinessProbe use the same handler (exec ["/bin/grpc_health_probe","-addr=:5050"])',
                    'workload-image-pinned: container "server": image "checkoutservice" is not pinned by digest',
                ],
            },
        ],
    },
    "GoogleCloudPlatform__microservices-demo__kubernetes-manifests__productcatalogservice.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:Deployment productcatalogservice",
                verdicts: [
                    'workload-gomemlimit: container "server": GOMEMLIMIT is not set',
                    'workload-probes: container "server": startupProbe is not set',
                    'workload-probes: container "server": livenessProbe and readinessProbe use the same handler (grpc port 3550)',
                    'workload-image-pinned: container "server": image "productcatalogservice" is not pinned by digest',
                ],
            },
        ],
    },
    "argoproj__argo-cd__manifests__base__application-controller__argocd-application-controller-statefulset.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:StatefulSet argocd-application-controller",
                verdicts: [
                    'workload-resources: container "argocd-application-controller": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set',
                    'workload-gomemlimit: container "argocd-application-controller": GOMEMLIMIT is not set',
                    'workload-probes: container "argocd-application-controller": livenessProbe is not set',
                    'workload-probes: container "argocd-application-controller": startupProbe is not set',
                    'workload-image-pinned: container "argocd-application-controller": image "quay.io/argoproj/argocd:latest" is not pinned by digest',
                ],
            },
        ],
    },
    "argoproj__argo-cd__manifests__base__repo-server__argocd-repo-server-deployment.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:Deployment argocd-repo-server",
                verdicts: [
                    'workload-resources: container "argocd-repo-server": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set',
                    'workload-resources: init container "copyutil": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set',
                    'workload-gomemlimit: container "argocd-repo-server": GOMEMLIMIT is not set',
                    'workload-probes: container "argocd-repo-server": startupProbe is not set',
                    'workload-image-pinned: container "argocd-repo-server": image "quay.io/argoproj/argocd:latest" is not pinned by digest',
                    'workload-image-pinned: init container "copyutil": image "quay.io/argoproj/argocd:latest" is not pinned by digest',
                ],
            },
        ],
    },
    "flannel-io__flannel__Documentation__kube-flannel.yml": {
        workloads: [
            {
                document: 5,
                resource: "kubernetes:apps/v1:DaemonSet kube-flannel-ds",
                verdicts: [
                    'workload-resources: container "kube-flannel": resources.limits.memory is not set',
                    'workload-resources: init container "install-cni-plugin": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set',
                    'workload-resources: init container "install-cni": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set',
                    'workload-gomemlimit: container "kube-flannel": GOMEMLIMIT is not set',
                    'workload-probes: container "kube-flannel": startupProbe is not set',
                    'workload-image-pinned: container "kube-flannel": image "ghcr.io/flannel-io/flannel:v0.28.9" is not pinned by digest',
                    'workload-image-pinned: init container "install-cni-plugin": image "ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3" is not pinned by digest',
                    'workload-image-pinned: init container "install-cni": image "ghcr.io/flannel-io/flannel:v0.28.9" is not pinned by digest',
                    'workload-run-as-non-root: container "kube-flannel": neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)',
                    'workload-run-as-non-root: init container "install-cni-plugin": neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)',
                    'workload-run-as-non-root: init container "install-cni": neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)',
                ],
            },
        ],
    },
    "grafana__mimir__operations__helm__tests__test-oss-values-generated__mimir-distributed__templates__ingester__ingester-statefulset.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:StatefulSet test-oss-values-mimir-ingester",
                verdicts: [
                    'workload-resources: container "ingester": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set',
                    'workload-gomemlimit: container "ingester": GOMEMLIMIT is not in env; it may be set through envFrom, which this policy cannot read',
                    'workload-probes: container "ingester": livenessProbe is not set',
                    'workload-probes: container "ingester": startupProbe is not set',
                    'workload-image-pinned: container "ingester": image is not set',
                ],
            },
        ],
    },
    "haproxytech__kubernetes-ingress__deploy__haproxy-ingress.yaml": {
        workloads: [
            {
                document: 5,
                resource: "kubernetes:apps/v1:Deployment haproxy-kubernetes-ingress",
                verdicts: [
                    'workload-resources: container "haproxy-ingress": resources.requests.cpu is not set',
                    'workload-gomemlimit: container "haproxy-ingress": GOMEMLIMIT is not set',
                    'workload-probes: container "haproxy-ingress": readinessProbe is not set',
                    'workload-probes: container "haproxy-ingress": startupProbe is not set',
                    'workload-image-pinned: container "haproxy-ingress": image "haproxytech/kubernetes-ingress" is not pinned by digest',
                ],
            },
        ],
    },
    "istio__istio__operator__cmd__mesh__testdata__manifest-generate__output__ingressgateway_k8s_settings.golden.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:Deployment istio-ingressgateway",
                verdicts: [
                    'workload-gomemlimit: container "istio-proxy": GOMEMLIMIT is not set',
                    'workload-probes: container "istio-proxy": livenessProbe is not set',
                    'workload-probes: container "istio-proxy": startupProbe is not set',
                    'workload-image-pinned: container "istio-proxy": image "registry.istio.io/testing/proxyv2:latest" is not pinned by digest',
                ],
            },
            {
                document: 1,
                resource: "kubernetes:apps/v1:Deployment istio-ingressgateway-custom",
                verdicts: [
                    'workload-gomemlimit: container "istio-proxy": GOMEMLIMIT is not set',
                    'workload-probes: container "istio-proxy": livenessProbe is not set',
                    'workload-probes: container "istio-proxy": startupProbe is not set',
                    'workload-image-pinned: container "istio-proxy": image "registry.istio.io/testing/proxyv2:latest" is not pinned by digest',
                ],
            },
        ],
    },
    "istio__istio__operator__cmd__mesh__testdata__manifest-generate__output__istio-cni.golden.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:DaemonSet istio-cni-node",
                verdicts: [
                    'workload-resources: container "install-cni": resources.limits.memory is not set',
                    'workload-gomemlimit: container "install-cni": GOMEMLIMIT comes from valueFrom.resourceFieldRef {resource: limits.memory, divisor: 1} but the container does not set limits.memory',
                    'workload-probes: container "install-cni": livenessProbe is not set',
                    'workload-probes: container "install-cni": startupProbe is not set',
                    'workload-image-pinned: container "install-cni": image "registry.istio.io/testing/install-cni:latest" is not pinned by digest',
                    'workload-run-as-non-root: container "install-cni": runAsUser is 0 (root)',
                ],
            },
        ],
    },
    "istio__istio__operator__pkg__helm__testdata__output__gateway-deployment.golden.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:Deployment istio-ingress",
                verdicts: [
                    'workload-gomemlimit: container "istio-proxy": GOMEMLIMIT is not set',
                    'workload-probes: container "istio-proxy": livenessProbe is not set',
                    'workload-probes: container "istio-proxy": readinessProbe is not set',
                    'workload-probes: container "istio-proxy": startupProbe is not set',
                    'workload-image-pinned: container "istio-proxy": image "auto" is not pinned by digest',
                ],
            },
        ],
    },
    "knative__serving__config__core__deployments__activator.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:Deployment activator",
                verdicts: [
                    'workload-gomemlimit: container "activator": GOMEMLIMIT is not set',
                    'workload-probes: container "activator": startupProbe is not set',
                    'workload-probes: container "activator": livenessProbe and readinessProbe use the same handler (httpGet http://<pod IP>:8012/)',
                    `workload-image-pinned: container "activator": image "ko://knative.dev/serving/cmd/activator" is not a valid image reference (invalid reference format: ko:// is a build tool's placeholder (ko, skaffold), not an image reference; the real reference is substituted before deploy)`,
                ],
            },
        ],
    },
    "knative__serving__config__core__deployments__controller.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:Deployment controller",
                verdicts: [
                    'workload-gomemlimit: container "controller": GOMEMLIMIT is not set',
                    'workload-probes: container "controller": startupProbe is not set',
                    `workload-image-pinned: container "controller": image "ko://knative.dev/serving/cmd/controller" is not a valid image reference (invalid reference format: ko:// is a build tool's placeholder (ko, skaffold), not an image reference; the real reference is substituted before deploy)`,
                ],
            },
        ],
    },
    "kubernetes-sigs__descheduler__kubernetes__cronjob__cronjob.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:batch/v1:CronJob descheduler-cronjob",
                verdicts: [
                    'workload-resources: container "descheduler": resources.limits.memory is not set',
                    'workload-gomemlimit: container "descheduler": GOMEMLIMIT is not set',
                    "workload-probes: not applicable (CronJob pods run to completion; probes are only required for long-running workloads)",
                    'workload-image-pinned: container "descheduler": image "registry.k8s.io/descheduler/descheduler:v0.36.0" is not pinned by digest',
                ],
            },
        ],
    },
    "kubernetes-sigs__external-dns__e2e__provider__coredns.yaml": {
        workloads: [
            {
                document: 1,
                resource: "kubernetes:apps/v1:Deployment coredns",
                verdicts: [
                    'workload-resources: container "coredns": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set',
                    'workload-gomemlimit: container "coredns": GOMEMLIMIT is not set',
                    'workload-probes: container "coredns": startupProbe is not set',
                    'workload-probes: container "coredns": livenessProbe and readinessProbe use the same handler (tcpSocket <pod IP>:5353)',
                    'workload-image-pinned: container "coredns": image "coredns/coredns:1.13.1" is not pinned by digest',
                    'workload-run-as-non-root: container "coredns": neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)',
                ],
            },
        ],
    },
    "kubernetes-sigs__metrics-server__manifests__base__deployment.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:Deployment metrics-server",
                verdicts: [
                    'workload-resources: container "metrics-server": resources.limits.memory is not set',
                    'workload-gomemlimit: container "metrics-server": GOMEMLIMIT is not set',
                    'workload-probes: container "metrics-server": startupProbe is not set',
                    'workload-image-pinned: container "metrics-server": image "gcr.io/k8s-staging-metrics-server/metrics-server:master" is not pinned by digest',
                ],
            },
        ],
    },
    "kubernetes__examples___archived__explorer__pod.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:core/v1:Pod explorer",
                verdicts: [
                    'workload-resources: container "explorer": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set',
                    'workload-gomemlimit: container "explorer": GOMEMLIMIT is not set',
                    'workload-probes: container "explorer": livenessProbe is not set',
                    'workload-probes: container "explorer": readinessProbe is not set',
                    'workload-probes: container "explorer": startupProbe is not set',
                    'workload-image-pinned: container "explorer": image "registry.k8s.io/explorer:1.0" is not pinned by digest',
                    'workload-run-as-non-root: container "explorer": neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)',
                ],
            },
        ],
    },
    "kubernetes__examples__web__guestbook-go__guestbook-controller.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:core/v1:ReplicationController guestbook",
                verdicts: [
                    'workload-resources: container "guestbook": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set',
                    'workload-gomemlimit: container "guestbook": GOMEMLIMIT is not set',
                    'workload-probes: container "guestbook": livenessProbe is not set',
                    'workload-probes: container "guestbook": readinessProbe is not set',
                    'workload-probes: container "guestbook": startupProbe is not set',
                    'workload-image-pinned: container "guestbook": image "registry.k8s.io/guestbook:v3" is not pinned by digest',
                    'workload-run-as-non-root: container "guestbook": neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)',
                ],
            },
        ],
    },
    "kubernetes__ingress-nginx__deploy__static__provider__cloud__deploy.yaml": {
        workloads: [
            {
                document: 14,
                resource: "kubernetes:apps/v1:Deployment ingress-nginx-controller",
                verdicts: [
                    'workload-resources: container "controller": resources.limits.memory is not set',
                    'workload-gomemlimit: container "controller": GOMEMLIMIT is not set',
                    'workload-probes: container "controller": startupProbe is not set',
                    'workload-probes: container "controller": livenessProbe and readinessProbe use the same handler (httpGet http://<pod IP>:10254/healthz)',
                ],
            },
            {
                document: 15,
                resource: "kubernetes:batch/v1:Job ingress-nginx-admission-create",
                verdicts: [
                    'workload-resources: container "create": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set',
                    'workload-gomemlimit: container "create": GOMEMLIMIT is not set',
                    "workload-probes: not applicable (Job pods run to completion; probes are only required for long-running workloads)",
                ],
            },
            {
                document: 16,
                resource: "kubernetes:batch/v1:Job ingress-nginx-admission-patch",
                verdicts: [
                    'workload-resources: container "patch": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set',
                    'workload-gomemlimit: container "patch": GOMEMLIMIT is not set',
                    "workload-probes: not applicable (Job pods run to completion; probes are only required for long-running workloads)",
                ],
            },
        ],
    },
    "kyverno__kyverno__test__conformance__chainsaw__flags__standard__emit-events__admission-controller.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:Deployment kyverno-admission-controller",
                verdicts: [
                    'workload-gomemlimit: container "kyverno": GOMEMLIMIT is not set',
                    'workload-image-pinned: container "kyverno": image "ghcr.io/kyverno/kyverno:latest" is not pinned by digest',
                    'workload-image-pinned: init container "kyverno-pre": image "ghcr.io/kyverno/kyvernopre:latest" is not pinned by digest',
                ],
            },
        ],
    },
    "open-telemetry__opentelemetry-helm-charts__charts__opentelemetry-collector__examples__statefulset-with-pvc__rendered__statefulset.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:StatefulSet example-opentelemetry-collector",
                verdicts: [
                    'workload-resources: container "opentelemetry-collector": resources.requests.cpu, resources.requests.memory are not set',
                    'workload-resources: init container "init-fs": resources.requests.cpu, resources.requests.memory, resources.limits.memory are not set',
                    'workload-probes: container "opentelemetry-collector": startupProbe is not set',
                    'workload-probes: container "opentelemetry-collector": livenessProbe and readinessProbe use the same handler (httpGet http://<pod IP>:13133/)',
                    'workload-image-pinned: container "opentelemetry-collector": image "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s:0.158.0" is not pinned by digest',
                    'workload-image-pinned: init container "init-fs": image "busybox:latest" is not pinned by digest',
                    'workload-run-as-non-root: container "opentelemetry-collector": neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)',
                    'workload-run-as-non-root: init container "init-fs": neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)',
                ],
            },
        ],
    },
    "open-telemetry__opentelemetry-helm-charts__charts__opentelemetry-collector__examples__using-GOMEMLIMIT__rendered__deployment.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:Deployment example-opentelemetry-collector",
                verdicts: [
                    'workload-resources: container "opentelemetry-collector": resources.requests.cpu, resources.requests.memory are not set',
                    'workload-probes: container "opentelemetry-collector": startupProbe is not set',
                    'workload-probes: container "opentelemetry-collector": livenessProbe and readinessProbe use the same handler (httpGet http://<pod IP>:13133/)',
                    'workload-image-pinned: container "opentelemetry-collector": image "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s:0.158.0" is not pinned by digest',
                    'workload-run-as-non-root: container "opentelemetry-collector": neither runAsNonRoot: true nor a runAsUser above 0 is set (container or pod)',
                ],
            },
        ],
    },
    "open-telemetry__opentelemetry-helm-charts__charts__opentelemetry-demo__examples__default__rendered__grafana__deployment.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:Deployment grafana",
                verdicts: [
                    'workload-resources: container "grafana-sc-alerts": resources.requests.cpu, resources.requests.memory are not set',
                    'workload-resources: container "grafana-sc-dashboard": resources.requests.cpu, resources.requests.memory are not set',
                    'workload-resources: container "grafana-sc-datasources": resources.requests.cpu, resources.requests.memory are not set',
                    'workload-resources: container "grafana": resources.requests.cpu, resources.requests.memory are not set',
                    'workload-gomemlimit: container "grafana-sc-alerts": GOMEMLIMIT is not set',
                    'workload-gomemlimit: container "grafana-sc-dashboard": GOMEMLIMIT is not set',
                    'workload-gomemlimit: container "grafana-sc-datasources": GOMEMLIMIT is not set',
                    'workload-gomemlimit: container "grafana": GOMEMLIMIT comes from valueFrom.resourceFieldRef {resource: limits.memory, divisor: 1}, i.e. 100% of the memory limit',
                    'workload-probes: container "grafana-sc-alerts": livenessProbe is not set',
                    'workload-probes: container "grafana-sc-alerts": readinessProbe is not set',
                    'workload-probes: container "grafana-sc-alerts": startupProbe is not set',
                    'workload-probes: container "grafana-sc-dashboard": livenessProbe is not set',
                    'workload-probes: container "grafana-sc-dashboard": readinessProbe is not set',
                    'workload-probes: container "grafana-sc-dashboard": startupProbe is not set',
                    'workload-probes: container "grafana-sc-datasources": livenessProbe is not set',
                    'workload-probes: container "grafana-sc-datasources": readinessProbe is not set',
                    'workload-probes: container "grafana-sc-datasources": startupProbe is not set',
                    'workload-probes: container "grafana": startupProbe is not set',
                    'workload-probes: container "grafana": livenessProbe and readinessProbe use the same handler (httpGet http://<pod IP>:3000/api/health)',
                    'workload-image-pinned: container "grafana-sc-alerts": image "quay.io/kiwigrid/k8s-sidecar:2.8.1" is not pinned by digest',
                    'workload-image-pinned: container "grafana-sc-dashboard": image "quay.io/kiwigrid/k8s-sidecar:2.8.1" is not pinned by digest',
                    'workload-image-pinned: container "grafana-sc-datasources": image "quay.io/kiwigrid/k8s-sidecar:2.8.1" is not pinned by digest',
                    'workload-image-pinned: container "grafana": image "docker.io/grafana/grafana:13.1.0" is not pinned by digest',
                ],
            },
        ],
    },
    "prometheus-operator__kube-prometheus__manifests__nodeExporter-daemonset.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:DaemonSet node-exporter",
                verdicts: [
                    'workload-gomemlimit: container "node-exporter": GOMEMLIMIT is not set',
                    'workload-gomemlimit: container "kube-rbac-proxy": GOMEMLIMIT is not set',
                    'workload-probes: container "node-exporter": livenessProbe is not set',
                    'workload-probes: container "node-exporter": readinessProbe is not set',
                    'workload-probes: container "node-exporter": startupProbe is not set',
                    'workload-probes: container "kube-rbac-proxy": livenessProbe is not set',
                    'workload-probes: container "kube-rbac-proxy": readinessProbe is not set',
                    'workload-probes: container "kube-rbac-proxy": startupProbe is not set',
                    'workload-image-pinned: container "node-exporter": image "quay.io/prometheus/node-exporter:v1.12.1" is not pinned by digest',
                    'workload-image-pinned: container "kube-rbac-proxy": image "quay.io/brancz/kube-rbac-proxy:v0.22.1" is not pinned by digest',
                ],
            },
        ],
    },
    "prometheus-operator__kube-prometheus__manifests__prometheusAdapter-deployment.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:Deployment prometheus-adapter",
                verdicts: [
                    'workload-gomemlimit: container "prometheus-adapter": GOMEMLIMIT is not set',
                    'workload-image-pinned: container "prometheus-adapter": image "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0" is not pinned by digest',
                ],
            },
        ],
    },
    "thanos-io__kube-thanos__examples__all__manifests__thanos-receive-statefulSet.yaml": {
        workloads: [
            {
                document: 0,
                resource: "kubernetes:apps/v1:StatefulSet thanos-receive",
                verdicts: [
                    'workload-gomemlimit: container "thanos-receive": GOMEMLIMIT is not set',
                    'workload-probes: container "thanos-receive": startupProbe is not set',
                    'workload-image-pinned: container "thanos-receive": image "quay.io/thanos/thanos:v0.30.2" is not pinned by digest',
                ],
            },
        ],
    },
};

const POLICIES: AnyRule[] = WORKLOAD_POLICIES.map((name) => {
    const rule = rules.find((r) => r.name === name);
    if (!rule || !("target" in rule)) {
        throw new Error(`no resource policy named ${name}`);
    }
    return rule;
});

interface Manifest {
    readonly document: number;
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
    readonly props: Record<string, unknown>;
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every object of a multi-document YAML file whose kind carries a pod spec; the items of a List are taken one by one. */
function workloadsOf(text: string): Manifest[] {
    const result: Manifest[] = [];
    const take = (document: number, value: unknown) => {
        if (!isObject(value)) {
            return;
        }
        if (typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items)) {
            value.items.forEach((item) => take(document, item));
            return;
        }
        if (typeof value.kind !== "string" || !WORKLOAD_KINDS.has(value.kind)) {
            return;
        }
        const metadata = isObject(value.metadata) ? value.metadata : {};
        if (typeof value.apiVersion !== "string" || typeof metadata.name !== "string") {
            throw new Error(`document ${document} (${value.kind}) has no apiVersion or metadata.name`);
        }
        result.push({ document, apiVersion: value.apiVersion, kind: value.kind, name: metadata.name, props: value });
    };
    yaml.loadAll(text).forEach((value, document) => take(document, value));
    return result;
}

/** The Pulumi type token the Kubernetes provider gives this apiVersion and kind (`v1` is the core group). */
function typeToken(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion === "v1" ? "core/v1" : apiVersion}:${kind}`;
}

/** Every workload policy's verdicts on one manifest. */
async function verdicts(manifest: Manifest): Promise<string[]> {
    const type = typeToken(manifest.apiVersion, manifest.kind);
    const result: string[] = [];
    for (const rule of POLICIES) {
        const outcome = await run(rule, type, manifest.props, {}, manifest.name);
        if (outcome.kind === "violations") {
            result.push(...outcome.summaries.map((s) => `${rule.name}: ${s}`));
            if (outcome.incomplete) {
                result.push(`${rule.name}: incomplete (${outcome.incomplete})`);
            }
        } else if (outcome.kind === "notApplicable") {
            result.push(`${rule.name}: not applicable (${outcome.reason})`);
        } else {
            result.push(`${rule.name}: unknown (${outcome.message})`);
        }
    }
    return result;
}

async function fileVerdicts(text: string): Promise<WorkloadVerdicts[]> {
    const result: WorkloadVerdicts[] = [];
    for (const manifest of workloadsOf(text)) {
        result.push({
            document: manifest.document,
            resource: `${typeToken(manifest.apiVersion, manifest.kind)} ${manifest.name}`,
            verdicts: await verdicts(manifest),
        });
    }
    return result;
}

/** SOURCES.md's "Workload documents" column per file: `<document>: <Kind> <name>`, parenthesised non-workloads left out. */
function listedWorkloads(sources: string): Map<string, string[]> {
    const listed = new Map<string, string[]>();
    for (const line of sources.split("\n")) {
        const cells = line.split("|").map((c) => c.trim());
        const file = /^`([^`]+)`$/.exec(cells[1] ?? "")?.[1];
        if (!file || cells.length < 3) {
            continue;
        }
        const column = cells[cells.length - 2].replace(/\([^)]*\)/g, "");
        listed.set(file, column.split(";").map((entry) => entry.trim()).filter((entry) => entry !== ""));
    }
    return listed;
}

describe("Kubernetes workload corpus", () => {
    if (!fs.existsSync(CORPUS)) {
        it(`skipped: the corpus directory ${CORPUS} is absent (shared/ must sit beside the repository as ../shared)`, function () {
            this.skip();
        });
        return;
    }

    const files = fs.readdirSync(CORPUS).filter((f) => /\.ya?ml$/.test(f)).sort();
    const read = (file: string) => fs.readFileSync(path.join(CORPUS, file), "utf8");

    it("has a judged verdict list for every YAML file in the corpus, and no other", () => {
        assert.deepStrictEqual(files, Object.keys(EXPECTED).sort());
    });

    it("takes exactly the workload documents SOURCES.md lists for each file", () => {
        const sources = path.join(CORPUS, "SOURCES.md");
        if (!fs.existsSync(sources)) {
            return;
        }
        const listed = listedWorkloads(fs.readFileSync(sources, "utf8"));
        for (const file of files) {
            const found = workloadsOf(read(file)).map((m) => `${m.document}: ${m.kind} ${m.name}`);
            assert.deepStrictEqual(found, listed.get(file), file);
        }
    });

    for (const file of files) {
        it(file, async () => {
            assert.deepStrictEqual(await fileVerdicts(read(file)), EXPECTED[file]?.workloads);
        });
    }
});
