export const VOTING_APP_ID = 'voting';
