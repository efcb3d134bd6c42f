// Every policy of the pack, in documentation order. A new policy adds its file and one line here.
import type { AnyRule } from "./pulumi/rule";
import workloadGomemlimit from "./workload/gomemlimit";
import workloadImagePinned from "./workload/image-pinned";
import workloadProbes from "./workload/probes";
import workloadResources from "./workload/resources";
import workloadRunAsNonRoot from "./workload/run-as-non-root";
import workloadSysctls from "./workload/sysctls";

export const rules: readonly AnyRule[] = [
    workloadResources,
    workloadGomemlimit,
    workloadSysctls,
    workloadProbes,
    workloadImagePinned,
    workloadRunAsNonRoot,
];
