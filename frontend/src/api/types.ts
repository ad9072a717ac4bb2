export type Priority = "none" | "low" | "medium" | "high";
export const PRIORITIES: readonly Priority[] = ["high", "medium", "low", "none"];

export type Role = "user" | "admin";

export interface Task {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  completed_at: string | null;
  priority: Priority;
  due_at: string | null;
  tags: string[];
  user_id: string;
  created_at: string;
  updated_at: string;
}

/** The fields a client may send when creating or editing a task. */
export interface TaskInput {
  title?: string;
  description?: string | null;
  priority?: Priority;
  due_at?: string | null;
  tags?: string[];
  completed?: boolean;
}

export interface Me {
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at: string;
}

export interface AdminUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  banned: boolean;
  created_at: string;
  task_count: number;
}

export interface AdminUserDetail extends AdminUser {
  ban_reason: string | null;
  ban_expires_at: string | null;
  task_counts: { total: number; completed: number; overdue: number };
}

export interface AdminUserPatch {
  role?: Role;
  banned?: boolean;
  ban_reason?: string | null;
  ban_expires_at?: string | null;
}

export interface AdminStats {
  users: { total: number; admins: number; banned: number; new_last_7_days: number };
  tasks: { total: number; completed: number; overdue: number };
}

export interface AuditEntry {
  id: string;
  actor_id: string;
  actor_email: string | null;
  action: string;
  target_user_id: string | null;
  target_task_id: string | null;
  request_id: string;
  details: Record<string, unknown>;
  created_at: string;
}
