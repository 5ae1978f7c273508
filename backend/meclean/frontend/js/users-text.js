// Pure helpers (no DOM) of the Users and account screens: roles, the users table's texts,
// the password form's words. Unit-tested with node --test (tests/js/).

export const ROLES = ["annotator", "curator", "admin"];

export const USERS_HEADER = ["Name", "Role", "State", "Since", ""];

export const stateText = (user) => (user.active ? "active" : "deactivated");
export const activeToggleText = (user) => (user.active ? "Deactivate" : "Reactivate");

export const resetQuestion = (name) =>
  `Give ${name} a new one-time password? Their current one stops working and they are signed out.`;

// The password form's words: at first sign-in with a generated password (`forced`), or on
// the account screen.
export function passwordTexts(me, forced) {
  const title = forced ? "Choose your password" : `Account of ${me.name}`;
  return {
    title,
    label: forced ? title : "Change my password",
    intro: forced
      ? `${me.name}, you signed in with a generated password, which works once. Choose your own (at least 8 characters).`
      : `Role: ${me.role}. A new password signs you out everywhere else.`,
    old: forced ? "Generated password" : "Current password",
    submit: forced ? "Save and continue" : "Change password",
  };
}

// What is wrong with the two new passwords typed, or null.
export const mismatch = (password, again) => (password !== again ? "The two new passwords differ." : null);
