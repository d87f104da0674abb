/**
 * Data access for users. Raw parameterised SQL through the Knex instance's pool: on the hot path
 * Knex's query builder cost measurably more CPU per request (see docs/api.md, "Benchmark").
 */
import type { Knex } from 'knex';

export interface UsersRepository {
  /** The stored date of birth as `YYYY-MM-DD`, or undefined for an unknown user. */
  findDateOfBirth(username: string): Promise<string | undefined>;
  /** Inserts or updates; an unchanged date does not rewrite the row. */
  saveDateOfBirth(username: string, dateOfBirth: string): Promise<void>;
  /** `SELECT 1` for the readiness probe. */
  ping(): Promise<void>;
}

// to_char: a string in a fixed format, independent of the session's DateStyle and of pg's
// default date parser (which would build a JS Date in the process's local zone).
export const FIND_DATE_OF_BIRTH_SQL =
  "SELECT to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth FROM users WHERE username = ?";

export const SAVE_DATE_OF_BIRTH_SQL = `
  INSERT INTO users (username, date_of_birth) VALUES (?, ?)
  ON CONFLICT (username) DO UPDATE
    SET date_of_birth = EXCLUDED.date_of_birth, updated_at = now()
    WHERE users.date_of_birth IS DISTINCT FROM EXCLUDED.date_of_birth`;

interface Row {
  date_of_birth: string;
}

export function createUsersRepository(knex: Knex): UsersRepository {
  return {
    async findDateOfBirth(username) {
      const result = await knex.raw<{ rows: Row[] }>(FIND_DATE_OF_BIRTH_SQL, [username]);
      return result.rows[0]?.date_of_birth;
    },
    async saveDateOfBirth(username, dateOfBirth) {
      await knex.raw(SAVE_DATE_OF_BIRTH_SQL, [username, dateOfBirth]);
    },
    async ping() {
      await knex.raw('SELECT 1');
    },
  };
}
