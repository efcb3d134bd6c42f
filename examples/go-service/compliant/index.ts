// The "orders" Go service written the way go-service-guard expects: every policy passes.
import { apiImage, apiPorts, goService, GRPC_PORT, HTTP_PORT } from "../shared";

const API_IMAGE = "ghcr.io/acme/orders-api:1.8.3@sha256:3f1c2b9a7d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a";
const RECONCILE_IMAGE = "ghcr.io/acme/orders-reconcile:1.8.3@sha256:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d";

/** Non-root by UID (65532 is the distroless "nonroot" user), at pod level so every container inherits it. */
const runAsNonRoot = { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532 };
const hardened = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };

const service = goService({
    apiPod: ({ envFrom }) => ({
        securityContext: {
            ...runAsNonRoot,
            // Idle client connections behind a cloud load balancer are dropped after ~350 s; probe earlier.
            sysctls: [{ name: "net.ipv4.tcp_keepalive_time", value: "60" }],
        },
        terminationGracePeriodSeconds: 30,
        containers: [{
            name: "api",
            image: API_IMAGE,
            args: ["serve", `--http=:${HTTP_PORT}`, `--grpc=:${GRPC_PORT}`],
            ports: apiPorts,
            envFrom,
            env: [
                // 90% of limits.memory (512Mi), in Go's own syntax.
                { name: "GOMEMLIMIT", value: "460MiB" },
                { name: "GOGC", value: "100" },
                // The image ships zoneinfo (distroless), so the zone is found.
                { name: "TZ", value: "Europe/Berlin" },
            ],
            resources: {
                requests: { cpu: "250m", memory: "256Mi" },
                limits: { memory: "512Mi" },
            },
            // Liveness only proves the process is responsive; readiness asks the gRPC health service,
            // which reports NOT_SERVING while dependencies are down.
            livenessProbe: { httpGet: { path: "/livez", port: "http" }, periodSeconds: 10, failureThreshold: 3 },
            readinessProbe: { grpc: { port: GRPC_PORT }, periodSeconds: 5, failureThreshold: 2 },
            startupProbe: { httpGet: { path: "/livez", port: "http" }, periodSeconds: 2, failureThreshold: 30 },
            securityContext: hardened,
        }],
    }),
    batchPod: ({ fromConfig }) => ({
        securityContext: runAsNonRoot,
        containers: [{
            name: "reconcile",
            image: RECONCILE_IMAGE,
            args: ["reconcile", "--since=24h"],
            env: [
                fromConfig("DATABASE_HOST"),
                fromConfig("LOG_LEVEL"),
                // 90% of limits.memory (256Mi).
                { name: "GOMEMLIMIT", value: "230MiB" },
            ],
            resources: {
                requests: { cpu: "100m", memory: "128Mi" },
                limits: { memory: "256Mi" },
            },
            securityContext: hardened,
        }],
    }),
});

export const image = apiImage().imageName;
export const namespace = service.namespace.metadata.name;
export const apiService = service.service.metadata.name;
