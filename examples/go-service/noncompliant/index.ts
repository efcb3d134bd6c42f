// The same "orders" Go service with mistakes that pass code review and break in production.
// Each one is caught by a go-service-guard policy (named in the comment beside it).
import { apiImage, apiPorts, goService, GRPC_PORT, HTTP_PORT } from "../shared";

const service = goService({
    apiPod: ({ envFrom }) => ({
        // workload-run-as-non-root: no securityContext runAsNonRoot/runAsUser, so the image's root user runs.
        securityContext: {
            // workload-sysctls: vm.* is node-level; the kubelet refuses the pod (SysctlForbidden).
            sysctls: [
                { name: "net.ipv4.tcp_keepalive_time", value: "60" },
                { name: "vm.swappiness", value: "10" },
            ],
        },
        containers: [{
            name: "api",
            // workload-image-pinned: latest moves with every push.
            image: "ghcr.io/acme/orders-api:latest",
            args: ["serve", `--http=:${HTTP_PORT}`, `--grpc=:${GRPC_PORT}`],
            ports: apiPorts,
            envFrom,
            env: [
                // workload-gomemlimit: a Kubernetes suffix; the Go runtime aborts with "malformed GOMEMLIMIT".
                { name: "GOMEMLIMIT", value: "400Mi" },
                // workload-timezone: the image built from app/Dockerfile has no zoneinfo, so Go falls back to UTC.
                { name: "TZ", value: "Asia/Shanghai" },
            ],
            resources: {
                requests: { cpu: "250m", memory: "256Mi" },
                limits: { memory: "512Mi" },
            },
            // workload-probes: liveness identical to readiness (a slow database restarts every replica),
            // and no startup probe.
            livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
            readinessProbe: { httpGet: { path: "/healthz", port: "http" } },
        }],
    }),
    batchPod: ({ fromConfig }) => ({
        containers: [{
            name: "reconcile",
            // workload-image-pinned: a tag, but no digest.
            image: "ghcr.io/acme/orders-reconcile:1.8.3",
            args: ["reconcile", "--since=24h"],
            // workload-gomemlimit: no GOMEMLIMIT, so the heap ignores the memory limit.
            env: [fromConfig("DATABASE_HOST"), fromConfig("LOG_LEVEL")],
            resources: {
                // workload-resources: "512m" is 0.512 bytes, not 512 MiB.
                requests: { cpu: "100m", memory: "128Mi" },
                limits: { memory: "512m" },
            },
        }],
    }),
});

export const image = apiImage().imageName;
export const namespace = service.namespace.metadata.name;
export const apiService = service.service.metadata.name;
