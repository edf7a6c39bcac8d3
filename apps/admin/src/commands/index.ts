// Every `pnpm admin` command, in the order `pnpm admin help` lists them. One file per command;
// add a command by writing its file and adding it here.
import type { AdminCommand } from '../command.js';
import { auditToolsCommand } from './audit-tools.js';
import { backup } from './backup.js';
import { clientDelete } from './client-delete.js';
import { clientList } from './client-list.js';
import { clientShow } from './client-show.js';
import { clientsPrune } from './clients-prune.js';
import { doctor } from './doctor.js';
import { grantsRevoke } from './grants-revoke.js';
import { idpAdd } from './idp-add.js';
import { idpList } from './idp-list.js';
import { idpRemove } from './idp-remove.js';
import { keysList } from './keys-list.js';
import { keysRevoke } from './keys-revoke.js';
import { keysRotate } from './keys-rotate.js';
import { restore } from './restore.js';
import { secretsRotate } from './secrets-rotate.js';
import { sshAuditCommand } from './ssh-audit.js';
import { sshGrant } from './ssh-grant.js';
import { sshHostAdd } from './ssh-host-add.js';
import { sshHostList } from './ssh-host-list.js';
import { sshHostRemove } from './ssh-host-remove.js';
import { sshRevoke } from './ssh-revoke.js';
import { userAdd } from './user-add.js';
import { userDelete } from './user-delete.js';
import { userDisable } from './user-disable.js';
import { userList } from './user-list.js';
import { userMfaReset } from './user-mfa-reset.js';
import { userResetLink } from './user-reset-link.js';
import { userResetPassword } from './user-reset-password.js';

export const COMMANDS: readonly AdminCommand[] = [
  userAdd,
  userList,
  userDisable,
  userResetPassword,
  userDelete,
  userResetLink,
  userMfaReset,
  clientList,
  clientShow,
  clientDelete,
  clientsPrune,
  doctor,
  grantsRevoke,
  idpAdd,
  idpList,
  idpRemove,
  keysList,
  keysRotate,
  keysRevoke,
  secretsRotate,
  sshHostAdd,
  sshHostList,
  sshHostRemove,
  sshGrant,
  sshRevoke,
  sshAuditCommand,
  auditToolsCommand,
  backup,
  restore,
];
