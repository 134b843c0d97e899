/** Path parameters of the v2 routes: `/v2/{project_id}/fdi/instances/{instance_id}/…`. */
export interface InstanceParams {
  project_id: string;
  instance_id: string;
}

export interface TaskParams extends InstanceParams {
  task_id: string;
}

export interface DatasourceParams extends InstanceParams {
  datasource_id: string;
}
