// Every policy of the pack, in documentation order. A new policy adds its file and one line here.
import dockerfileBaseImage from "./dockerfile/base-image";
import dockerfileExecForm from "./dockerfile/exec-form";
import dockerfileGoEnv from "./dockerfile/go-env";
import dockerfileLocale from "./dockerfile/locale";
import dockerfileNonroot from "./dockerfile/nonroot";
import dockerfileReadable from "./dockerfile/readable";
import dockerfileStaticGoBuild from "./dockerfile/static-go-build";
import dockerfileTimezone from "./dockerfile/timezone";
import type { PackRule } from "./pulumi/rule";
import imageSignature from "./signature/image-signature";
import workloadTimezone from "./stack/workload-timezone";
import workloadGomemlimit from "./workload/gomemlimit";
import workloadImagePinned from "./workload/image-pinned";
import workloadProbes from "./workload/probes";
import workloadResources from "./workload/resources";
import workloadRunAsNonRoot from "./workload/run-as-non-root";
import workloadSysctls from "./workload/sysctls";

export const rules: readonly PackRule[] = [
    workloadResources,
    workloadGomemlimit,
    workloadSysctls,
    workloadProbes,
    workloadImagePinned,
    workloadRunAsNonRoot,
    dockerfileReadable,
    dockerfileBaseImage,
    dockerfileNonroot,
    dockerfileStaticGoBuild,
    dockerfileTimezone,
    dockerfileLocale,
    dockerfileExecForm,
    dockerfileGoEnv,
    imageSignature,
    workloadTimezone,
];
