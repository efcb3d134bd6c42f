import { PolicyPack } from "@pulumi/policy";
import { rules } from "./policies";
import { toResourcePolicy, toStackPolicy } from "./policies/pulumi/adapter";
import { isStackRule } from "./policies/pulumi/rule";
import { shareDeserialization } from "./policies/pulumi/sdk-tuning";

shareDeserialization();

new PolicyPack("go-service-guard", {
    policies: rules.map((rule) => (isStackRule(rule) ? toStackPolicy(rule) : toResourcePolicy(rule))),
});
