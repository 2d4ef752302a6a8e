export {
  startNexusEmulator,
  type NexusBehaviour,
  type NexusComponentRecord,
  type NexusEmulator,
  type NexusEmulatorOptions,
  type NexusRepositorySpec,
  type NexusTagSpec,
  type NexusUserSpec,
} from "./nexus-emulator";
export { allows, parseViewPrivilege, type ViewAction } from "./privileges";
