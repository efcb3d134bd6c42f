// The parts of the "orders" Go service that do not depend on how carefully its workloads are
// written: namespace, configuration, service, and the shape of the Deployment and the CronJob.
// The compliant and noncompliant programs pass in the pod specs, which is where they differ.
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;

export const APP = "orders";
export const HTTP_PORT = 8080;
export const GRPC_PORT = 9090;

/** Labels on every object of the service; the API's selector uses a subset. */
export const labels = {
    "app.kubernetes.io/name": APP,
    "app.kubernetes.io/part-of": "shop",
};
const apiSelector = { "app.kubernetes.io/name": APP, "app.kubernetes.io/component": "api" };
const batchLabels = { ...labels, "app.kubernetes.io/component": "reconcile" };

/** Ports of the API container: HTTP (REST, health) and gRPC. */
export const apiPorts: Container["ports"] = [
    { name: "http", containerPort: HTTP_PORT, protocol: "TCP" },
    { name: "grpc", containerPort: GRPC_PORT, protocol: "TCP" },
];

export interface GoServiceArgs {
    /** Pod spec of the API Deployment (HTTP + gRPC server). */
    apiPod: (config: Config) => PodSpec;
    /** Pod spec of the nightly reconciliation job. */
    batchPod: (config: Config) => PodSpec;
}

/** What the pod specs may reference. */
export interface Config {
    /** `envFrom` entry importing the whole ConfigMap. */
    envFrom: Container["envFrom"];
    /** An `env` entry taking one key of the ConfigMap. */
    fromConfig: (key: string) => EnvVar;
}

/** The repository the API image is pushed to; the Deployment runs a digest of it. */
export const API_REPOSITORY = "ghcr.io/acme/orders-api";

/**
 * Builds the API image from app/Dockerfile next to the program. The path is relative, as most
 * programs write it: the Docker provider (and go-service-guard) resolve it against the program
 * directory.
 */
export function apiImage(): docker.Image {
    return new docker.Image("orders-api", {
        imageName: `${API_REPOSITORY}:1.8.3`,
        build: { context: "app", platform: "linux/amd64", args: { GO_VERSION: "1.23.4" } },
        skipPush: true,
    });
}

export interface GoService {
    namespace: k8s.core.v1.Namespace;
    config: k8s.core.v1.ConfigMap;
    api: k8s.apps.v1.Deployment;
    service: k8s.core.v1.Service;
    reconcile: k8s.batch.v1.CronJob;
}

/** Declares the service's Kubernetes objects. */
export function goService(args: GoServiceArgs): GoService {
    const namespace = new k8s.core.v1.Namespace("shop", {
        metadata: { labels: { ...labels, "pod-security.kubernetes.io/enforce": "baseline" } },
    });
    const ns = namespace.metadata.name;

    const config = new k8s.core.v1.ConfigMap("orders-config", {
        metadata: { namespace: ns, labels },
        data: {
            LOG_LEVEL: "info",
            DATABASE_HOST: "orders-db.shop.svc.cluster.local",
            OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.observability:4317",
        },
    });
    const shared: Config = {
        envFrom: [{ configMapRef: { name: config.metadata.name } }],
        fromConfig: (key) => ({ name: key, valueFrom: { configMapKeyRef: { name: config.metadata.name, key } } }),
    };

    const api = new k8s.apps.v1.Deployment("api", {
        metadata: { namespace: ns, labels: { ...labels, ...apiSelector } },
        spec: {
            replicas: 3,
            selector: { matchLabels: apiSelector },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            template: {
                metadata: { labels: { ...labels, ...apiSelector } },
                spec: args.apiPod(shared),
            },
        },
    });

    const service = new k8s.core.v1.Service("api", {
        metadata: { namespace: ns, labels },
        spec: {
            selector: apiSelector,
            ports: [
                { name: "http", port: 80, targetPort: "http" },
                { name: "grpc", port: GRPC_PORT, targetPort: "grpc", appProtocol: "kubernetes.io/h2c" },
            ],
        },
    });

    const reconcile = new k8s.batch.v1.CronJob("reconcile", {
        metadata: { namespace: ns, labels: batchLabels },
        spec: {
            schedule: "30 2 * * *",
            concurrencyPolicy: "Forbid",
            jobTemplate: {
                spec: {
                    backoffLimit: 2,
                    activeDeadlineSeconds: 3600,
                    template: {
                        metadata: { labels: batchLabels },
                        spec: { restartPolicy: "OnFailure", ...args.batchPod(shared) },
                    },
                },
            },
        },
    });

    return { namespace, config, api, service, reconcile };
}
