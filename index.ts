import { PolicyPack } from "@pulumi/policy";
import { rules } from "./policies";
import { toResourcePolicy } from "./policies/pulumi/adapter";

new PolicyPack("go-service-guard", {
    policies: rules.map(toResourcePolicy),
});
